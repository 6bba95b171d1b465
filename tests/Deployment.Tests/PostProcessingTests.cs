using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// What the overlay (deploy/) fixes in Aspirate's output, proven on the rendered objects of each overlay. Each
/// check also runs on Aspirate's output alone, where it must find the fault: the check can fail.
/// </summary>
public sealed class PostProcessingTests
{
    private static IEnumerable<(Workload Workload, V1Container Container, IReadOnlyList<EnvironmentEntry> Environment)> Containers(
        RenderedDeployment rendered) =>
        rendered.Workloads.SelectMany(w => (w.Pod.InitContainers ?? []).Concat(w.Pod.Containers)
            .Select(c => (w, c, ContainerEnvironment.Of(rendered, w, c))));

    private static IEnumerable<string> SecretsInConfigMaps(RenderedDeployment rendered) =>
        rendered.OfType<V1ConfigMap>().SelectMany(map => (map.Data ?? new Dictionary<string, string>())
            .Where(e => ContainerEnvironment.LooksSecret(e.Key, e.Value))
            .Select(e => $"ConfigMap {map.Metadata.NamespaceProperty}/{map.Metadata.Name}: {e.Key}"));

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void No_configmap_holds_a_password_a_connection_string_with_one_or_another_secret(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);

        Assert.Empty(SecretsInConfigMaps(rendered));
        Assert.All(Containers(rendered), item => Assert.All(item.Container.Env ?? [],
            e => Assert.False(ContainerEnvironment.LooksSecret(e.Name, e.Value),
                $"{item.Workload} {item.Container.Name}: {e.Name} in plain env")));
    }

    [Fact]
    public void The_secret_check_finds_the_passwords_aspirate_writes_into_its_configmaps()
    {
        var found = SecretsInConfigMaps(RenderedDeployment.Of(RenderedDeployment.AspirateBase)).ToList();

        Assert.Contains(found, f => f.EndsWith(": POSTGRES_PASSWORD", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(": ConnectionStrings__", StringComparison.Ordinal));
        Assert.Contains(found, f => f.EndsWith("DB_PASSWORD", StringComparison.Ordinal));
        Assert.Contains(found, f => f.EndsWith("DB_URI", StringComparison.Ordinal));
    }

    [Fact]
    public void The_placeholder_password_of_the_base_never_reaches_the_render()
    {
        var placeholder = AspirateOutputTests.PlaceholderPassword;
        Assert.Contains(placeholder, RenderedDeployment.Of(RenderedDeployment.AspirateBase).Yaml, StringComparison.Ordinal);
        Assert.All(new[] { RenderedDeployment.Default, RenderedDeployment.WithDashboard }, variant =>
            Assert.DoesNotContain(placeholder, RenderedDeployment.Of(variant).Yaml, StringComparison.Ordinal));
    }

    private static IEnumerable<string> UnresolvedAddresses(
        RenderedDeployment rendered, Func<Workload, V1Container, IReadOnlyList<EnvironmentEntry>> environment) =>
        rendered.Workloads.SelectMany(w => w.Pod.Containers.SelectMany(c => ContainerEnvironment.Addresses(environment(w, c))
            .Where(a => !ContainerEnvironment.Resolves(rendered, a, w.Namespace))
            .Select(a => $"{w} {c.Name}: {a.Entry.Key} -> {a.Host}:{a.Port} is no Service port from namespace {w.Namespace}")));

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_address_in_a_configmap_resolves_from_the_pods_namespace_to_a_service_port(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var addresses = Containers(rendered).SelectMany(c => ContainerEnvironment.Addresses(c.Environment)).ToList();

        Assert.Contains(addresses, a => a.Entry.Key.StartsWith("services__", StringComparison.Ordinal));
        Assert.Empty(UnresolvedAddresses(rendered, (w, c) => ContainerEnvironment.Of(rendered, w, c)));
    }

    [Fact]
    public void The_address_check_finds_aspirates_short_names_across_namespaces()
    {
        // Aspirate's host names, seen from the namespaces the overlay puts the services in.
        var rendered = RenderedDeployment.Of(RenderedDeployment.Default);
        var invoiceApp = rendered.Workload("invoice-app");
        var baseEnvironment = ContainerEnvironment.Of(
            RenderedDeployment.Of(RenderedDeployment.AspirateBase),
            RenderedDeployment.Of(RenderedDeployment.AspirateBase).Workload("invoice-app"),
            RenderedDeployment.Of(RenderedDeployment.AspirateBase).Workload("invoice-app").Pod.Containers[0]);

        var unresolved = ContainerEnvironment.Addresses(baseEnvironment)
            .Where(a => !ContainerEnvironment.Resolves(rendered, a, invoiceApp.Namespace))
            .ToList();

        Assert.Contains(unresolved, a => a.Entry.Key == "ConnectionStrings__invoicesdb" && a.Host == "postgres");
        Assert.Contains(unresolved,
            a => a.Entry.Key.StartsWith("services__payment-provider", StringComparison.Ordinal) && a.Host == "payment-provider");
        Assert.Equal(("postgres", "data"), ContainerEnvironment.ServiceOf("postgres.data.svc.cluster.local", "invoices"));
        Assert.Equal(("postgres", "invoices"), ContainerEnvironment.ServiceOf("postgres", "invoices"));
        Assert.Null(ContainerEnvironment.ServiceOf("api.example.com.", "invoices"));
    }

    private static IEnumerable<string> UnresolvedExpressions(RenderedDeployment rendered) =>
        Containers(rendered).SelectMany(c => c.Environment.Where(e => ContainerEnvironment.HoldsUnresolvedExpression(e.Value))
            .Select(e => $"{c.Workload} {c.Container.Name}: {e}"))
            .Concat(rendered.Workloads.SelectMany(w => w.Pod.Containers.SelectMany(c => (c.Command ?? []).Concat(c.Args ?? [])
                .Where(ContainerEnvironment.HoldsUnresolvedExpression).Select(a => $"{w} {c.Name}: argument {a}"))));

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void No_environment_value_holds_an_unresolved_expression(string variant) =>
        Assert.Empty(UnresolvedExpressions(RenderedDeployment.Of(variant)));

    private static IEnumerable<string> PortsNothingListensOn(RenderedDeployment rendered)
    {
        foreach (var (workload, container, environment) in Containers(rendered))
        {
            var listening = ContainerEnvironment.ListeningPorts(container, environment);
            foreach (var port in container.Ports ?? [])
            {
                if (!listening.Contains(port.ContainerPort))
                {
                    yield return $"{workload} {container.Name}: container port {port.Name} {port.ContainerPort}, " +
                        $"listening on [{string.Join(", ", listening)}]";
                }
            }
        }
        foreach (var service in rendered.OfType<V1Service>())
        {
            var pods = rendered.Workloads.Where(w => w.Namespace == service.Metadata.NamespaceProperty
                && service.Spec.Selector is { Count: > 0 }
                && service.Spec.Selector.All(s => w.PodLabels.TryGetValue(s.Key, out var v) && v == s.Value)).ToList();
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var served = pods.Count > 0 && pods.All(w => Containers(rendered).Where(c => c.Workload == w).Any(c =>
                    (c.Container.Ports ?? []).Any(p =>
                        (p.Name == target || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target)
                        && ContainerEnvironment.ListeningPorts(c.Container, c.Environment).Contains(p.ContainerPort))));
                if (!served)
                {
                    yield return $"Service {service.Metadata.NamespaceProperty}/{service.Metadata.Name}: " +
                        $"port {port.Name} {port.Port} -> {target} reaches no listening container port";
                }
            }
        }
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void No_service_or_container_port_is_declared_that_the_container_does_not_listen_on(string variant) =>
        Assert.Empty(PortsNothingListensOn(RenderedDeployment.Of(variant)));

    private static readonly Dictionary<string, Func<RenderedDeployment, IEnumerable<string>>> ChecksByName = new()
    {
        [nameof(UnresolvedExpressions)] = UnresolvedExpressions,
        [nameof(PortsNothingListensOn)] = PortsNothingListensOn,
    };

    /// <summary>A check that finds nothing in our variants proves something only if it finds aspirate's own mistakes.</summary>
    [Theory]
    [InlineData(nameof(UnresolvedExpressions), "{postgres-password-uri-encoded.value}")]
    [InlineData(nameof(PortsNothingListensOn), "8443")]
    public void The_check_finds_what_aspirate_leaves_unresolved_or_declares_without_a_listener(string check, string finding) =>
        Assert.Contains(ChecksByName[check](RenderedDeployment.Of(RenderedDeployment.AspirateBase)),
            problem => problem.Contains(finding, StringComparison.Ordinal));

    /// <summary>
    /// Aspire sets ASPNETCORE_FORWARDEDHEADERS_ENABLED for every project, which believes X-Forwarded-For from any
    /// sender (and stops our services at start); invoice-app trusts ForwardedHeaders__KnownNetworks instead.
    /// </summary>
    private static readonly HashSet<string> DroppedOnPurpose = ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"];

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_switch_that_trusts_every_forwarding_sender_never_reaches_a_pod(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.All(Containers(rendered), c => Assert.DoesNotContain(c.Environment, e => DroppedOnPurpose.Contains(e.Key)));
        var invoiceApp = Containers(rendered).Single(c => c.Workload.Name == "invoice-app" && c.Container.Name == "invoice-app");
        Assert.Contains(invoiceApp.Environment, e => e.Key.StartsWith("ForwardedHeaders__KnownNetworks__", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_variable_aspirate_sets_reaches_the_pod_unless_it_is_secret(string variant)
    {
        // The overlay replaces the base's ConfigMaps whole: a variable the AppHost adds must be carried over on
        // purpose, and only a secret one may stay behind (the Secret deploy.sh creates holds what the service needs).
        var rendered = RenderedDeployment.Of(variant);
        var aspirate = RenderedDeployment.Of(RenderedDeployment.AspirateBase);
        Assert.All(aspirate.Workloads, baseWorkload =>
        {
            var workload = rendered.Workload(baseWorkload.Name);
            var kept = Containers(rendered)
                .Where(c => c.Workload == workload)
                .SelectMany(c => c.Environment)
                .Select(e => e.Key)
                .ToHashSet();
            var missing = baseWorkload.Pod.Containers.SelectMany(c => ContainerEnvironment.Of(aspirate, baseWorkload, c))
                .Where(e => !ContainerEnvironment.LooksSecret(e.Key, e.Value) && !kept.Contains(e.Key) && !DroppedOnPurpose.Contains(e.Key))
                .Select(e => e.Key)
                .ToList();
            Assert.True(missing.Count == 0, $"{workload}: Aspirate sets {string.Join(", ", missing)}, which the overlay's ConfigMap drops");
        });
    }
}
