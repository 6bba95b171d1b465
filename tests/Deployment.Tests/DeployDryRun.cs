using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// What <c>deploy.sh --dry-run</c> makes with the real Aspirate and no cluster: the rendered objects and the
/// Secrets its ensure_secrets would create (passwords made for the dry run). Run once per overlay and shared.
/// </summary>
public sealed class DeployDryRun
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<DeployDryRun>>> Cache = new();

    public required string Variant { get; init; }
    public required RenderedDeployment Rendered { get; init; }
    public required IReadOnlyList<V1Secret> Secrets { get; init; }
    public required string SecretsYaml { get; init; }
    public required string ImageTag { get; init; }
    public required string Log { get; init; }

    public static Task<DeployDryRun> OfAsync(string variant)
    {
        Requirement.NeedExecutable("kubectl", "install kubectl 1.27 or newer");
        Requirement.NeedExecutable("git", "install git");
        Aspirate.Need();
        return Cache.GetOrAdd(variant, name => new Lazy<Task<DeployDryRun>>(() => RunAsync(name))).Value;
    }

    public static string[] Options(string variant) =>
        [.. variant == RenderedDeployment.WithDashboard ? ["--with-dashboard"] : Array.Empty<string>(), .. Processes.NoBuildOption];

    public static async Task<DeployDryRun> RunAsync(string variant)
    {
        using var output = new TemporaryDirectory("deploy-dry-run");
        var run = await Processes.RunAsync(
            "bash", ["deploy.sh", "--dry-run", "--output", output.Path, .. Options(variant)], timeout: TimeSpan.FromMinutes(8));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy.sh --dry-run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        }
        var secretsYaml = File.ReadAllText(output.File("secrets.yaml"));
        return new DeployDryRun
        {
            Variant = variant,
            Rendered = RenderedDeployment.Parse(variant, File.ReadAllText(output.File("rendered.yaml"))),
            Secrets = [.. KubernetesYaml.LoadAllFromString(secretsYaml, strict: true).Cast<V1Secret>()],
            SecretsYaml = secretsYaml,
            ImageTag = File.ReadAllText(output.File("image-tag")).Trim(),
            Log = run.Output,
        };
    }

    /// <summary>A Secret's entries as text.</summary>
    public static IReadOnlyDictionary<string, string> Entries(V1Secret secret) =>
        new Dictionary<string, string>(
            (secret.Data ?? new Dictionary<string, byte[]>())
                .Select(e => KeyValuePair.Create(e.Key, System.Text.Encoding.UTF8.GetString(e.Value)))
                .Concat(secret.StringData ?? new Dictionary<string, string>()));
}
