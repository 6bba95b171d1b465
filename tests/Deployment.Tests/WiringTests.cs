using k8s.Models;

namespace Deployment.Tests;

/// <summary>How the overlay connects the pieces: cross-namespace addresses, the database, the optional dashboard.</summary>
public sealed class WiringTests
{
    private static IDictionary<string, string> Environment(RenderedDeployment rendered, string ns, string name) =>
        Assert.Single(rendered.OfType<V1ConfigMap>(), c => c.Metadata.NamespaceProperty == ns && c.Metadata.Name == name).Data;

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Invoice_app_finds_payment_provider_and_both_find_the_database_by_fully_qualified_names(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var invoiceApp = Environment(rendered, "invoices", "invoice-app-env");
        var paymentProvider = Environment(rendered, "payments", "payment-provider-env");

        Assert.Equal("http://payment-provider.payments.svc.cluster.local:8080", invoiceApp["services__payment-provider__http__0"]);
        Assert.Equal("postgres.data.svc.cluster.local", invoiceApp["INVOICESDB_HOST"]);
        Assert.Equal("postgres.data.svc.cluster.local", paymentProvider["PAYMENTSDB_HOST"]);
        // A short name resolves only inside the caller's own namespace: no address may use one.
        Assert.All(invoiceApp.Concat(paymentProvider), entry =>
        {
            Assert.DoesNotMatch("(//|@)(payment-provider|postgres)(:|/|$)", entry.Value);
            if (entry.Key.EndsWith("_HOST", StringComparison.Ordinal))
            {
                Assert.EndsWith(".svc.cluster.local", entry.Value, StringComparison.Ordinal);
            }
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_database_keeps_its_data_on_a_claim_and_reads_its_password_from_a_secret(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var postgres = Assert.Single(rendered.OfType<V1StatefulSet>(), s => s.Metadata.Name == "postgres");
        Assert.Equal("data", postgres.Metadata.NamespaceProperty);
        var claim = Assert.Single(postgres.Spec.VolumeClaimTemplates);
        var container = Assert.Single(postgres.Spec.Template.Spec.Containers, c => c.Name == "postgres");
        Assert.Contains(container.VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/var/lib/postgresql");
        Assert.Contains(container.EnvFrom, e => e.SecretRef?.Name == "postgres-secrets");
        Assert.DoesNotContain("POSTGRES_PASSWORD", Environment(rendered, "data", "postgres-env").Keys);
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Both_services_export_telemetry_to_the_dashboard_only_when_it_is_deployed(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var withDashboard = variant == RenderedDeployment.WithDashboard;
        foreach (var (ns, name) in new[] { ("invoices", "invoice-app-env"), ("payments", "payment-provider-env") })
        {
            var environment = Environment(rendered, ns, name);
            Assert.Equal(withDashboard, environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint));
            if (withDashboard)
            {
                Assert.Equal("http://aspire-dashboard.observability.svc.cluster.local:18889", endpoint);
            }
        }
        Assert.Equal(withDashboard, rendered.Objects.Any(o => o.Metadata.NamespaceProperty == "observability" || o.Metadata.Name == "observability"));
    }

    [Fact]
    public void The_dashboard_has_an_explicit_version_and_no_way_in_but_port_forward()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.WithDashboard);
        var dashboard = rendered.Workload("aspire-dashboard");
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspire-dashboard:\d+\.\d+", Assert.Single(dashboard.Pod.Containers).Image);
        Assert.Equal("ClusterIP", Assert.Single(rendered.OfType<V1Service>(), s => s.Metadata.NamespaceProperty == "observability").Spec.Type);
        Assert.DoesNotContain(rendered.OfType<V1Ingress>(), i => i.Metadata.NamespaceProperty == "observability");
    }

    [Fact]
    public void Payment_provider_has_no_ingress_and_no_node_port()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.Default);
        Assert.DoesNotContain(rendered.OfType<V1Ingress>(), i => i.Metadata.NamespaceProperty == "payments"
            || i.Spec.Rules.Any(r => r.Http.Paths.Any(p => p.Backend.Service?.Name == "payment-provider")));
        var service = Assert.Single(rendered.OfType<V1Service>(), s => s.Metadata.Name == "payment-provider");
        Assert.Equal("ClusterIP", service.Spec.Type);
    }
}
