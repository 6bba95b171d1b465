using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>deploy.sh and test.sh: clean under shellcheck, helpful, and deploy.sh's dry run renders everything with no cluster.</summary>
[Collection(AppHostProcesses.Name)]
public sealed class ScriptTests
{
    private static Task<ProcessRun> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Processes.RunAsync(file, arguments, environment, cancellationToken: TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("deploy.sh")]
    [InlineData("test.sh")]
    [InlineData("tools/regenerate-aspirate-output.sh")]
    [InlineData(".ci/run")]
    public async Task Script_is_clean_under_shellcheck(string script)
    {
        var shellcheck = Requirement.NeedExecutable("shellcheck", "apt-get install -y shellcheck");

        var run = await RunAsync(shellcheck, ["--severity=style", "--external-sources", script]);

        Assert.True(run.ExitCode == 0, $"shellcheck {script}:\n{run.Output}{run.Error}");
    }

    [Theory]
    [InlineData("deploy.sh", "--dry-run")]
    [InlineData("test.sh", "--base-url")]
    [InlineData("tools/regenerate-aspirate-output.sh", "--output")]
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
    [InlineData("tools/regenerate-aspirate-output.sh", "--bogus")]
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

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public async Task Deploy_dry_run_renders_the_complete_deployment_with_the_real_aspirate_and_no_cluster(string variant)
    {
        var dryRun = await DeployDryRun.OfAsync(variant);
        var committed = RenderedDeployment.Of(variant);

        Assert.Contains("aspirate generate", dryRun.Log, StringComparison.Ordinal);
        Assert.Equal(
            committed.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order(),
            dryRun.Rendered.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order());
        Assert.StartsWith((await RunAsync("git", ["rev-parse", "--short=12", "HEAD"])).Output.Trim(), dryRun.ImageTag, StringComparison.Ordinal);
        foreach (var name in new[] { "invoice-app", "payment-provider" })
        {
            var container = Assert.Single(Assert.Single(dryRun.Rendered.OfType<V1Deployment>(), d => d.Metadata.Name == name).Spec.Template.Spec.Containers);
            Assert.Equal($"{name}:{dryRun.ImageTag}", container.Image);
        }
        Assert.All(["data/postgres-secrets", "invoices/invoice-app-secrets", "payments/payment-provider-secrets"],
            name => Assert.Contains(name, dryRun.Secrets.Select(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}")));
    }

    [Fact]
    public async Task Deploy_dry_run_a_second_time_renders_exactly_the_same_objects()
    {
        // The base is deterministic and the tag is the commit: a second deployment of the same tree changes nothing.
        var first = await DeployDryRun.OfAsync(RenderedDeployment.Default);
        var second = await DeployDryRun.RunAsync(RenderedDeployment.Default);

        Assert.Equal(first.ImageTag, second.ImageTag);
        Assert.Equal(first.Rendered.Yaml, second.Rendered.Yaml);
    }
}
