using System.Globalization;
using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// The Ingress limits every client on every path before a request reaches a pod; for pay calls the app's own,
/// tighter budgets bite first (docs/kubernetes.md has the numbers side by side).
/// </summary>
public sealed class EdgeLimitTests
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_ingress_limits_requests_and_connections_per_client_on_every_path_above_the_apps_pay_budgets(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var ingress = Assert.Single(rendered.OfType<V1Ingress>());
        int Annotation(string name)
        {
            Assert.True(ingress.Metadata.Annotations.TryGetValue(Prefix + name, out var value), $"the Ingress sets {Prefix}{name}");
            var number = int.Parse(value, CultureInfo.InvariantCulture);
            Assert.True(number > 0, $"{name} is a positive limit");
            return number;
        }
        var rps = Annotation("limit-rps");
        var burst = Annotation("limit-burst-multiplier");
        Annotation("limit-connections");
        // The annotations apply to the whole Ingress: every path it routes is limited.
        Assert.All(ingress.Spec.Rules.SelectMany(r => r.Http.Paths), p => Assert.Equal("invoice-app", p.Backend.Service.Name));

        var app = rendered.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "invoice-app-env").Data;
        foreach (var budget in new[] { "PayApi__RateLimit", "PayApi__UnauthorizedRateLimit" })
        {
            var permits = int.Parse(app[$"{budget}__PermitLimit"], CultureInfo.InvariantCulture);
            var window = TimeSpan.Parse(app[$"{budget}__Window"], CultureInfo.InvariantCulture);
            Assert.True(permits / window.TotalSeconds < rps && permits <= rps * burst,
                $"{budget}: {permits} per {window} bites before the edge's {rps}/s (burst {rps * burst})");
        }
    }
}
