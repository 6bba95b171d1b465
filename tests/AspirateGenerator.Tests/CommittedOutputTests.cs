using System.Text;
using AspirateGenerator.Manifest;
using AspirateGenerator.Mapping;
using AspirateGenerator.Output;
using k8s;
using k8s.Models;
using TestSupport;

namespace AspirateGenerator.Tests;

/// <summary>
/// Checks the committed <c>aspirate-output/</c>: it must be exactly what the generator makes from the current
/// AppHost (drift), parse strictly, carry no machine path, and render with kustomize.
/// </summary>
public sealed class CommittedOutputTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(3);

    private static string CommittedDirectory => RepositoryRoot.Combine("aspirate-output");

    [Fact]
    public async Task Committed_output_matches_what_the_current_AppHost_generates()
    {
        var token = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("aspirate-drift-");
        try
        {
            var manifestPath = Path.Combine(work.FullName, "aspire-manifest.json");
            var publish = await ProcessRunner.RunAsync(
                "dotnet",
                ["run", "--project", RepositoryRoot.Combine("AppHost"), "--no-build", "--configuration", BuildConfiguration(),
                    "--", "--publisher", "manifest", "--output-path", manifestPath],
                RepositoryRoot.Path, PublishTimeout, token);
            Assert.True(publish.ExitCode == 0 && File.Exists(manifestPath),
                $"Publishing the AppHost manifest failed ({publish.ExitCode}):\n{publish.Output}\n{publish.Error}");

            var generated = GeneratorCommand.Generate(AspireManifest.Load(manifestPath), new GeneratorOptions());
            var committed = AspirateLayout.Read(CommittedDirectory);

            var differences = Describe(committed, generated);
            Assert.True(differences.Length == 0,
                $"aspirate-output/ is out of date with the AppHost; run {AspirateLayout.RegenerateCommand} and commit the result.\n{differences}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void Committed_yaml_parses_back_strictly_into_the_models()
    {
        var files = AspirateLayout.Read(CommittedDirectory);

        Assert.Contains("kustomization.yaml", files.Keys);
        foreach (var (path, text) in files.Where(file => KubernetesFiles.IsYaml(file.Key)))
        {
            var exception = Record.Exception(() => KubernetesFiles.ParseStrictly(path, text));
            Assert.True(exception is null, $"{path} does not parse strictly: {exception?.Message}");
        }
    }

    [Fact]
    public void Committed_output_names_no_path_of_any_machine()
    {
        // The places a generated file could pick a path up from: this checkout, the temporary folder (where the
        // manifest is published) and the user's home.
        var machinePaths = new[]
        {
            RepositoryRoot.Path,
            Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        }.Where(machinePath => machinePath.Length > 1).ToList();

        foreach (var (path, text) in AspirateLayout.Read(CommittedDirectory))
        {
            Assert.All(machinePaths, machinePath => Assert.False(text.Contains(machinePath, StringComparison.Ordinal), $"{path} contains '{machinePath}'"));
        }
    }

    [Fact]
    public async Task Committed_output_renders_with_kustomize_into_the_expected_objects_and_no_secret()
    {
        var kubectl = Requirement.NeedExecutable("kubectl", "install kubectl, which bundles kustomize");
        var token = TestContext.Current.CancellationToken;

        var render = await ProcessRunner.RunAsync(kubectl, ["kustomize", CommittedDirectory], RepositoryRoot.Path, TimeSpan.FromMinutes(1), token);
        Assert.True(render.ExitCode == 0, $"kubectl kustomize failed: {render.Error}");

        var objects = KubernetesYaml.LoadAllFromString(render.Output, strict: true);
        Assert.Equal(
            ["ConfigMap/invoice-app-env", "ConfigMap/payment-provider-env", "ConfigMap/postgres-env",
             "Deployment/invoice-app", "Deployment/payment-provider",
             "Service/invoice-app", "Service/payment-provider", "Service/postgres",
             "StatefulSet/postgres"],
            objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(item => $"{item.Kind}/{item.Metadata.Name}").Order(StringComparer.Ordinal));
        var secretKeys = AspirateLayout.Read(CommittedDirectory)
            .Where(file => file.Key.EndsWith("/secret-keys.txt", StringComparison.Ordinal))
            .SelectMany(file => file.Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("POSTGRES_PASSWORD", secretKeys);
        Assert.All(objects.OfType<V1ConfigMap>(), configMap => Assert.DoesNotContain(configMap.Data.Keys, secretKeys.Contains));
    }

    /// <summary>The configuration this test assembly was built in (…/bin/Debug/net10.0/), so the AppHost is too.</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string Describe(IReadOnlyDictionary<string, string> committed, IReadOnlyDictionary<string, string> generated)
    {
        var report = new StringBuilder();
        foreach (var path in generated.Keys.Except(committed.Keys).Order(StringComparer.Ordinal))
        {
            report.Append("  missing from aspirate-output/: ").Append(path).Append('\n');
        }
        foreach (var path in committed.Keys.Except(generated.Keys).Order(StringComparer.Ordinal))
        {
            report.Append("  no longer generated: ").Append(path).Append('\n');
        }
        foreach (var path in committed.Keys.Intersect(generated.Keys).Where(path => committed[path] != generated[path]).Order(StringComparer.Ordinal))
        {
            report.Append("  changed: ").Append(path).Append('\n');
            var before = committed[path].Split('\n');
            var after = generated[path].Split('\n');
            foreach (var line in before.Except(after).Take(5))
            {
                report.Append("    - ").Append(line).Append('\n');
            }
            foreach (var line in after.Except(before).Take(5))
            {
                report.Append("    + ").Append(line).Append('\n');
            }
        }
        return report.ToString();
    }
}
