using System.Diagnostics;
using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>deploy.sh and test.sh: clean under shellcheck, helpful, and deploy.sh's dry run renders everything with no cluster.</summary>
[Collection(AppHostProcesses.Name)]
public sealed class ScriptTests
{
    private sealed record Run(int ExitCode, string Output, string Error);

    private static async Task<Run> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout ?? TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Run(process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData("deploy.sh")]
    [InlineData("test.sh")]
    public async Task Script_is_clean_under_shellcheck(string script)
    {
        var shellcheck = Requirement.NeedExecutable("shellcheck", "apt-get install -y shellcheck");

        var run = await RunAsync(shellcheck, ["--severity=style", "--external-sources", script]);

        Assert.True(run.ExitCode == 0, $"shellcheck {script}:\n{run.Output}{run.Error}");
    }

    [Theory]
    [InlineData("deploy.sh", "--dry-run")]
    [InlineData("test.sh", "--base-url")]
    public async Task Script_explains_itself_with_help(string script, string documentedOption)
    {
        var run = await RunAsync("bash", [script, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains(documentedOption, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy.sh", "--bogus")]
    [InlineData("test.sh", "--bogus")]
    public async Task Script_rejects_an_unknown_option(string script, string option)
    {
        var run = await RunAsync("bash", [script, option]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_names_a_missing_prerequisite_and_fails()
    {
        // A PATH with only what the script needs before it checks kubectl: bash and dirname.
        var bin = Directory.CreateTempSubdirectory("deploy-path-");
        try
        {
            foreach (var tool in new[] { "bash", "dirname" })
            {
                var found = Requirement.FindOnPath(tool) ?? throw new InvalidOperationException($"{tool} not on PATH");
                File.CreateSymbolicLink(Path.Combine(bin.FullName, tool), found);
            }

            var run = await RunAsync(Path.Combine(bin.FullName, "bash"), ["deploy.sh", "--dry-run"], new Dictionary<string, string> { ["PATH"] = bin.FullName });

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("'kubectl' is required", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(RenderedDeployment.Default, new string[0])]
    [InlineData(RenderedDeployment.WithDashboard, new[] { "--with-dashboard" })]
    public async Task Deploy_dry_run_renders_the_complete_deployment_with_no_cluster(string variant, string[] options)
    {
        Requirement.NeedExecutable("kubectl", "install kubectl 1.27 or newer");
        Requirement.NeedExecutable("git", "install git");
        var output = Directory.CreateTempSubdirectory("deploy-dry-run-");
        try
        {
            var run = await RunAsync("bash", ["deploy.sh", "--dry-run", "--output", output.FullName, .. options], timeout: TimeSpan.FromMinutes(8));
            Assert.True(run.ExitCode == 0, $"deploy.sh --dry-run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");

            var tag = File.ReadAllText(Path.Combine(output.FullName, "image-tag")).Trim();
            var rendered = RenderedDeployment.Parse(variant, File.ReadAllText(Path.Combine(output.FullName, "rendered.yaml")));
            var committed = RenderedDeployment.Of(variant);

            Assert.Equal(
                committed.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order(),
                rendered.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order());
            Assert.StartsWith((await RunAsync("git", ["rev-parse", "--short=12", "HEAD"])).Output.Trim(), tag, StringComparison.Ordinal);
            foreach (var name in new[] { "invoice-app", "payment-provider" })
            {
                var container = Assert.Single(Assert.Single(rendered.OfType<V1Deployment>(), d => d.Metadata.Name == name).Spec.Template.Spec.Containers);
                Assert.Equal($"{name}:{tag}", container.Image);
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
