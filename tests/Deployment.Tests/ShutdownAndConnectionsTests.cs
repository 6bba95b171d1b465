using System.Globalization;
using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// Numbers that must fit together, read from what <c>kubectl kustomize</c> renders: a pod stops getting traffic,
/// then drains, all within its grace period; and both services' connection pools at full scale fit the
/// PostgreSQL server's connection limit.
/// </summary>
public sealed class ShutdownAndConnectionsTests
{
    /// <summary>ASP.NET Core's <c>HostOptions.ShutdownTimeout</c> when nothing sets it.</summary>
    private static readonly TimeSpan DefaultHostShutdown = TimeSpan.FromSeconds(30);

    /// <summary>invoice-app's rule: the host waits for the drain plus this.</summary>
    private static readonly TimeSpan DrainToShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>Npgsql's <c>Maximum Pool Size</c> when the service does not set its own.</summary>
    private const int NpgsqlDefaultPoolSize = 100;

    /// <summary>The container's environment as the kubelet builds it: ConfigMaps in envFrom, then env.</summary>
    private static Dictionary<string, string> Environment(RenderedDeployment rendered, Workload workload, V1Container container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var map in (container.EnvFrom ?? []).Select(e => e.ConfigMapRef).OfType<V1ConfigMapEnvSource>())
        {
            var data = rendered.OfType<V1ConfigMap>()
                .Single(c => c.Metadata.NamespaceProperty == workload.Namespace && c.Metadata.Name == map.Name)
                .Data;
            foreach (var (key, value) in data ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }
        }
        foreach (var variable in (container.Env ?? []).Where(e => e.Value is not null))
        {
            environment[variable.Name] = variable.Value;
        }
        return environment;
    }

    private static V1Container AppContainer(Workload workload) => workload.Pod.Containers.Single(c => c.Name == workload.Name);

    /// <summary>What decides how a service stops: its environment, its preStop pause and its pod's grace period.</summary>
    private static (Dictionary<string, string> Environment, TimeSpan PreStop, TimeSpan Grace) Stopping(string variant, string service)
    {
        var rendered = RenderedDeployment.Of(variant);
        var workload = rendered.Workload(service);
        var container = AppContainer(workload);
        return (Environment(rendered, workload, container), PreStopPause(workload, container),
            TimeSpan.FromSeconds(workload.Pod.TerminationGracePeriodSeconds ?? 30));
    }

    /// <summary>The host's shutdown timeout: HostOptions__ShutdownTimeout, or what the service uses when it is unset.</summary>
    private static TimeSpan HostShutdown(Dictionary<string, string> environment, TimeSpan whenUnset) =>
        environment.TryGetValue("HostOptions__ShutdownTimeout", out var explicitShutdown)
            ? TimeSpan.Parse(explicitShutdown, CultureInfo.InvariantCulture)
            : whenUnset;

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Invoice_app_leaves_its_service_then_drains_its_payments_within_the_grace_period(string variant)
    {
        var (environment, preStop, grace) = Stopping(variant, "invoice-app");
        Assert.True(environment.TryGetValue("Payments__DrainTimeout", out var drainSetting),
            "invoice-app: Payments__DrainTimeout is set explicitly");
        var drain = TimeSpan.Parse(drainSetting, CultureInfo.InvariantCulture);
        Assert.True(drain > TimeSpan.Zero, "invoice-app: a drain timeout above zero");
        var shutdown = HostShutdown(environment, whenUnset: drain + DrainToShutdownMargin);
        Assert.True(shutdown >= drain + DrainToShutdownMargin,
            $"invoice-app: the host's shutdown {shutdown} must outlast the drain {drain} by {DrainToShutdownMargin}");

        Assert.True(preStop + drain + DrainToShutdownMargin < grace,
            $"invoice-app: preStop {preStop} + drain {drain} + {DrainToShutdownMargin} " +
            $"must stay below terminationGracePeriodSeconds {grace}, or the kubelet kills payments in flight");
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Payment_provider_leaves_its_service_then_shuts_down_within_the_grace_period(string variant)
    {
        var (environment, preStop, grace) = Stopping(variant, "payment-provider");
        var shutdown = HostShutdown(environment, whenUnset: DefaultHostShutdown);

        Assert.True(preStop + shutdown < grace,
            $"payment-provider: preStop {preStop} + host shutdown {shutdown} must stay below terminationGracePeriodSeconds {grace}");
    }

    /// <summary>The pause before SIGTERM: the kubelet's sleep action, since the chiseled images have no shell for an exec one.</summary>
    private static TimeSpan PreStopPause(Workload workload, V1Container container)
    {
        var preStop = container.Lifecycle?.PreStop;
        Assert.True(preStop?.Sleep is not null, $"{workload}: a preStop sleep lets the endpoint leave the Service before SIGTERM");
        Assert.True(preStop.Exec is null && preStop.HttpGet is null, $"{workload}: only the sleep action (the image has no shell)");
        Assert.True(preStop.Sleep.Seconds >= 3, $"{workload}: the pause gives kube-proxy and the ingress controller a few seconds");
        return TimeSpan.FromSeconds(preStop.Sleep.Seconds);
    }

    /// <summary>psql's <c>\connect</c> (roles.sql) opens its new session before it closes the old one.</summary>
    private const int RolesJobConnections = 2;

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Connection_pools_during_a_rollout_at_full_scale_and_the_roles_job_fit_below_max_connections_minus_reserved(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var postgres = rendered.Workload("postgres");
        var server = ServerSettings(postgres.Pod.Containers.Single(c => c.Name == "postgres"));
        var maxConnections = Setting(server, "max_connections", 100);
        var reserved = Setting(server, "superuser_reserved_connections", 3) + Setting(server, "reserved_connections", 0);
        Assert.True(server.ContainsKey("max_connections"), "postgres: max_connections is set explicitly, not left to the image");

        // A client is every workload the network lets reach the server: none can hide from the budget.
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());
        var database = Endpoints.Of(rendered, postgres);
        var clients = rendered.Workloads
            .Where(w => w.Kind == "Deployment" && network.Allows(Endpoints.Of(rendered, w), database, 5432, "TCP"))
            .ToList();
        Assert.Equal(["invoice-app", "payment-provider"], clients.Select(c => c.Name).Order());

        var demand = 0;
        var parts = new List<string>();
        foreach (var client in clients)
        {
            var environment = Environment(rendered, client, AppContainer(client));
            Assert.True(environment.ContainsKey("Database__MaxPoolSize"),
                $"{client}: Database__MaxPoolSize is set (Npgsql would allow {NpgsqlDefaultPoolSize} per pod)");
            var pool = int.Parse(environment["Database__MaxPoolSize"], CultureInfo.InvariantCulture);
            Assert.True(pool > 0, $"{client}: a pool of at least one connection");
            var (replicas, surge) = MostPods(rendered, client);
            // A rollout at full scale: every old pod may still be inside its grace period, holding its pool.
            var terminating = replicas;
            var pods = replicas + surge + terminating;
            demand += pods * pool;
            parts.Add($"{client.Name} ({replicas} + {surge} surge + {terminating} terminating) x {pool}");
        }
        foreach (var job in rendered.Workloads
            .Where(w => w.Kind == "Job" && network.Allows(Endpoints.Of(rendered, w), database, 5432, "TCP")))
        {
            demand += RolesJobConnections;
            parts.Add($"{job.Name} {RolesJobConnections}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{variant}: {string.Join(" + ", parts)} = {demand} < {maxConnections} - {reserved}");

        Assert.True(demand < maxConnections - reserved,
            $"{string.Join(" + ", parts)} = {demand} connections must stay below max_connections {maxConnections} - reserved {reserved}");
    }

    /// <summary>The most pods a Deployment runs at once: its autoscaler's maximum (or replicas) and a rolling update's surge.</summary>
    public static (int Replicas, int Surge) MostPods(RenderedDeployment rendered, Workload workload)
    {
        var autoscaler = rendered.OfType<V2HorizontalPodAutoscaler>().SingleOrDefault(h =>
            h.Metadata.NamespaceProperty == workload.Namespace
            && h.Spec.ScaleTargetRef.Kind == workload.Kind
            && h.Spec.ScaleTargetRef.Name == workload.Name);
        var replicas = autoscaler?.Spec.MaxReplicas ?? workload.Replicas ?? 1;
        var deployment = rendered.OfType<V1Deployment>()
            .Single(d => d.Metadata.NamespaceProperty == workload.Namespace && d.Metadata.Name == workload.Name);
        // Kubernetes' default surge is 25%, rounded up.
        var surge = deployment.Spec.Strategy?.Type == "Recreate" ? "0" : deployment.Spec.Strategy?.RollingUpdate?.MaxSurge?.Value ?? "25%";
        var extra = surge.EndsWith('%')
            ? (int)Math.Ceiling(replicas * int.Parse(surge.TrimEnd('%'), CultureInfo.InvariantCulture) / 100.0)
            : int.Parse(surge, CultureInfo.InvariantCulture);
        return (replicas, extra);
    }

    /// <summary>The server's <c>-c name=value</c> (or <c>--name=value</c>) settings from its command line.</summary>
    private static Dictionary<string, string> ServerSettings(V1Container container)
    {
        var arguments = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var setting = arguments[i] == "-c" && i + 1 < arguments.Count ? arguments[++i]
                : arguments[i].StartsWith("--", StringComparison.Ordinal) ? arguments[i][2..]
                : null;
            if (setting?.Split('=', 2) is [var name, var value])
            {
                settings[name.Replace('-', '_')] = value;
            }
        }
        return settings;
    }

    private static int Setting(Dictionary<string, string> settings, string name, int serverDefault) =>
        settings.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : serverDefault;
}
