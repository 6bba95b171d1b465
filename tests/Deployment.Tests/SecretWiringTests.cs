using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// The Secrets of a deployment, as <c>deploy.sh --dry-run</c> builds them with its real ensure_secrets (the
/// connection strings live there, not in the render): every workload reads the Secret it needs, deploy.sh
/// creates every Secret read, and their addresses and values are as right as the ConfigMaps'.
/// </summary>
[Collection(AppHostProcesses.Name)]
public sealed class SecretWiringTests
{
    /// <summary>Secrets a user creates by hand before deploying; documented in docs/kubernetes.md. None today.</summary>
    private static readonly HashSet<string> UserCreatedSecrets = [];

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public async Task Every_workload_reads_the_secret_it_needs_and_deploy_creates_every_secret_read(string variant)
    {
        var dryRun = await DeployDryRun.OfAsync(variant);
        var rendered = dryRun.Rendered;
        var aspirate = RenderedDeployment.Of(RenderedDeployment.AspirateBase);

        // Every Secret any container reads (Aspirate's, or one the overlay adds) is one deploy.sh creates.
        Assert.All(rendered.Workloads, workload => Assert.All(
            (workload.Pod.InitContainers ?? []).Concat(workload.Pod.Containers),
            container => Assert.All(ContainerEnvironment.SecretsRead(workload.Pod, container), name => Assert.True(
                dryRun.Secrets.Any(s => s.Metadata.NamespaceProperty == workload.Namespace && s.Metadata.Name == name)
                    || UserCreatedSecrets.Contains(name),
                $"{workload} {container.Name}: reads Secret {workload.Namespace}/{name}, which deploy.sh does not create"))));

        // Aspirate's containers need a Secret where Aspirate gave them a secret value, and get from it what the
        // process cannot start without: the services' connection strings, PostgreSQL's superuser password.
        Assert.All(aspirate.Workloads, baseWorkload => Assert.All(baseWorkload.Pod.Containers, baseContainer =>
        {
            var workload = rendered.Workload(baseWorkload.Name);
            var container = Assert.Single(workload.Pod.Containers, c => c.Name == baseContainer.Name);
            var secretInBase = ContainerEnvironment.Of(aspirate, baseWorkload, baseContainer)
                .Where(e => ContainerEnvironment.LooksSecret(e.Key, e.Value))
                .ToList();
            var secretKeys = string.Join(", ", secretInBase.Select(e => e.Key));
            Assert.True(secretInBase.Count == 0 || ContainerEnvironment.SecretsRead(workload.Pod, container).Count > 0,
                $"{workload} {container.Name}: Aspirate gives it {secretKeys} but it reads no Secret");
            var environment = ContainerEnvironment.Of(rendered, workload, container, dryRun.Secrets);
            Assert.All(
                secretInBase.Select(e => e.Key)
                    .Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k == "POSTGRES_PASSWORD"),
                key => Assert.True(
                    environment.Any(e => e.Key == key && e.Source.StartsWith("Secret ", StringComparison.Ordinal) && e.Value.Length > 0),
                    $"{workload} {container.Name}: {key} comes from no Secret"));
        }));
        Assert.Contains(rendered.Workloads, w => w.Pod.Containers.Any(c => ContainerEnvironment.SecretsRead(w.Pod, c).Count > 0));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public async Task Every_connection_string_and_address_resolves_from_the_pods_namespace_to_a_service_port(string variant)
    {
        var dryRun = await DeployDryRun.OfAsync(variant);
        var rendered = dryRun.Rendered;
        var addresses = rendered.Workloads.SelectMany(w => w.Pod.Containers.SelectMany(c =>
            ContainerEnvironment.Addresses(ContainerEnvironment.Of(rendered, w, c, dryRun.Secrets))
                .Select(a => (Workload: w, Container: c, Address: a))))
            .ToList();

        Assert.Contains(addresses, a => a.Address.Entry.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
            && a.Address.Entry.Source.StartsWith("Secret ", StringComparison.Ordinal));
        Assert.All(addresses, a => Assert.True(ContainerEnvironment.Resolves(rendered, a.Address, a.Workload.Namespace),
            $"{a.Workload} {a.Container.Name}: {a.Address.Entry.Source} {a.Address.Entry.Key} -> {a.Address.Host}:{a.Address.Port} " +
            $"is no Service port from namespace {a.Workload.Namespace}"));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public async Task No_secret_deploy_creates_holds_an_unresolved_expression(string variant)
    {
        var dryRun = await DeployDryRun.OfAsync(variant);

        Assert.NotEmpty(dryRun.Secrets);
        Assert.All(dryRun.Secrets, secret => Assert.All(DeployDryRun.Entries(secret), entry =>
            Assert.False(ContainerEnvironment.HoldsUnresolvedExpression(entry.Value) || entry.Value.Length == 0,
                $"Secret {secret.Metadata.NamespaceProperty}/{secret.Metadata.Name}: {entry.Key} is empty or unresolved")));
    }
}
