using System.Text;
using System.Text.RegularExpressions;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// The committed <c>aspirate-output/</c> is exactly what the real Aspirate generates for the current AppHost
/// (drift), deterministic, free of secrets and of machine paths, and says how it was made.
/// </summary>
[Collection(AppHostProcesses.Name)]
public sealed partial class AspirateOutputTests
{
    private const string RegenerateScript = "tools/regenerate-aspirate-output.sh";

    private static string Committed => RepositoryRoot.Combine("aspirate-output");

    [GeneratedRegex("""PLACEHOLDER_PASSWORD="(?<value>[^"]+)""")]
    private static partial Regex PlaceholderDeclaration();

    /// <summary>The value the regenerate script gives Aspirate for the generated password parameter.</summary>
    public static string PlaceholderPassword { get; } =
        PlaceholderDeclaration().Match(File.ReadAllText(RepositoryRoot.Combine(RegenerateScript))).Groups["value"].Value;

    private static Dictionary<string, string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(directory, path).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);

    [Fact]
    public async Task Committed_aspirate_output_is_what_aspirate_generates_for_the_current_AppHost()
    {
        Aspirate.Need();
        using var work = new TemporaryDirectory("aspirate-drift");
        var generatedDirectory = work.File("aspirate-output");

        var run = await Processes.RunAsync("bash", [RegenerateScript, "--output", generatedDirectory, .. Processes.NoBuildOption],
            timeout: TimeSpan.FromMinutes(6), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, $"{RegenerateScript} failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");

        var differences = Describe(Files(Committed), Files(generatedDirectory));
        Assert.True(differences.Length == 0,
            $"aspirate-output/ is not what Aspirate generates for the current AppHost; run {RegenerateScript} and commit the result.\n" +
            $"{differences}");
    }

    [Fact]
    public void Committed_aspirate_output_holds_no_password_but_the_placeholder()
    {
        // Aspirate would write a new random password on every run; the script gives it a fixed, non-secret value.
        Assert.Matches("^[a-z-]*not-a-secret[a-z-]*$", PlaceholderPassword);
        var passwords = Files(Committed).SelectMany(file => file.Value.Split('\n')
            .SelectMany(line => PasswordValue().Matches(line).Select(m => (file.Key, Value: m.Groups["value"].Value)))).ToList();

        Assert.NotEmpty(passwords);
        Assert.All(passwords,
            p => Assert.True(p.Value == PlaceholderPassword, $"{p.Key}: a password '{p.Value}' that is not the placeholder"));
    }

    [GeneratedRegex(@"(PASSWORD=|Password=)(?<value>[^;\s]*)")]
    private static partial Regex PasswordValue();

    [Fact]
    public void Committed_aspirate_output_names_no_path_of_any_machine()
    {
        // Where a generated file could pick a path up from: this checkout, the temporary folder the manifest is
        // published to, the user's home.
        var machinePaths = new[]
        {
            RepositoryRoot.Path,
            Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        }.Where(path => path.Length > 1).ToList();

        Assert.All(Files(Committed), file => Assert.All(machinePaths,
            path => Assert.False(file.Value.Contains(path, StringComparison.Ordinal), $"{file.Key} contains '{path}'")));
    }

    [Fact]
    public void Committed_aspirate_output_says_it_is_generated_and_how_to_regenerate()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("aspirate-output", "README.md"));

        Assert.Single(readme.TrimEnd('\n').Split('\n'));
        Assert.Contains("never edit by hand", readme, StringComparison.Ordinal);
        Assert.Contains(RegenerateScript, readme, StringComparison.Ordinal);
        Assert.Contains("Aspirate 9.1.0", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tool_manifest_pins_aspirate_9_1_0()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine(".config", "dotnet-tools.json")));
        var aspirate = manifest.RootElement.GetProperty("tools").GetProperty("aspirate");

        Assert.Equal("9.1.0", aspirate.GetProperty("version").GetString());
        Assert.Equal(["aspirate"], aspirate.GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void Committed_aspirate_output_renders_into_well_formed_objects()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.AspirateBase);

        Assert.Equal(
            ["ConfigMap/invoice-app-env", "ConfigMap/payment-provider-env", "ConfigMap/postgres-env",
             "Deployment/invoice-app", "Deployment/payment-provider",
             "Service/invoice-app", "Service/payment-provider", "Service/postgres",
             "StatefulSet/postgres"],
            rendered.Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal));
    }

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
        foreach (var path in committed.Keys
            .Intersect(generated.Keys)
            .Where(path => committed[path] != generated[path])
            .Order(StringComparer.Ordinal))
        {
            report.Append("--- aspirate-output/").Append(path).Append(" (committed)\n+++ ").Append(path).Append(" (generated)\n");
            var before = committed[path].Split('\n');
            var after = generated[path].Split('\n');
            for (var line = 0; line < Math.Max(before.Length, after.Length); line++)
            {
                var old = line < before.Length ? before[line] : null;
                var @new = line < after.Length ? after[line] : null;
                if (old == @new)
                {
                    continue;
                }
                if (old is not null)
                {
                    report.Append(FormattableString.Invariant($"  {line + 1,4} - ")).Append(old).Append('\n');
                }
                if (@new is not null)
                {
                    report.Append(FormattableString.Invariant($"  {line + 1,4} + ")).Append(@new).Append('\n');
                }
            }
        }
        return report.ToString();
    }
}
