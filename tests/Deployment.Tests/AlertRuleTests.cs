using System.Text.RegularExpressions;
using TestSupport;
using YamlDotNet.Serialization;

namespace Deployment.Tests;

/// <summary>
/// The Prometheus rules under deploy/monitoring/rules: valid for promtool, each alert firing in a unit test
/// (alert-rules.test.yaml) and quiet in the healthy one, each labelled and annotated, each with its runbook section.
/// </summary>
public sealed partial class AlertRuleTests
{
    private const string TestFile = "tests/Deployment.Tests/alert-rules.test.yaml";

    public static IReadOnlyList<string> RuleFiles { get; } =
        [.. Directory.GetFiles(RepositoryRoot.Combine("deploy", "monitoring", "rules"), "*.yaml").Order()];

    public sealed class RuleFile
    {
        public List<RuleGroup> Groups { get; set; } = [];
    }

    public sealed class RuleGroup
    {
        public string Name { get; set; } = "";
        public List<Rule> Rules { get; set; } = [];
    }

    public sealed class Rule
    {
        public string? Record { get; set; }
        public string? Alert { get; set; }
        public string Expr { get; set; } = "";
        public string? For { get; set; }
        public Dictionary<string, string> Labels { get; set; } = [];
        public Dictionary<string, string> Annotations { get; set; } = [];
    }

    public static IReadOnlyList<Rule> Rules { get; } =
    [
        .. RuleFiles.SelectMany(file => new DeserializerBuilder().WithCaseInsensitivePropertyMatching().Build()
            .Deserialize<RuleFile>(File.ReadAllText(file)).Groups.SelectMany(group => group.Rules)),
    ];

    private static IEnumerable<Rule> Alerts => Rules.Where(rule => rule.Alert is not null);

    [Fact]
    public async Task Promtool_accepts_every_rule_file()
    {
        var promtool = Requirement.NeedExecutable("promtool", "apt-get install prometheus");

        var run = await Processes.RunAsync(promtool, ["check", "rules", .. RuleFiles], cancellationToken: Cancel);

        Assert.True(run.ExitCode == 0, $"promtool check rules:\n{run.Output}\n{run.Error}");
    }

    [Fact]
    public async Task Promtool_unit_tests_pass()
    {
        var promtool = Requirement.NeedExecutable("promtool", "apt-get install prometheus");

        // About 10 s of CPU (a day of samples a minute apart through every rule); more while the other suites run.
        var run = await Processes.RunAsync(
            promtool, ["test", "rules", TestFile], timeout: TimeSpan.FromMinutes(6), cancellationToken: Cancel);

        Assert.True(run.ExitCode == 0, $"promtool test rules:\n{run.Output}\n{run.Error}");
    }

    [Fact]
    public void Every_alert_fires_in_a_unit_test_and_is_checked_quiet_on_a_healthy_system()
    {
        var tests = File.ReadAllText(RepositoryRoot.Combine(TestFile));
        var quiet = tests[..tests.IndexOf("- name: every SLO burning", StringComparison.Ordinal)];

        Assert.All(Alerts, alert =>
        {
            Assert.Matches($@"alertname: {alert.Alert}\s+exp_alerts:\s+- exp_labels:", tests);
            Assert.Contains($"alertname: {alert.Alert}}}", quiet, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_runbook_section_named_after_it()
    {
        var runbook = File.ReadAllText(RepositoryRoot.Combine("docs", "runbook.md"));
        var sections = Heading().Matches(runbook).Select(match => match.Groups[1].Value).ToList();

        Assert.NotEmpty(Alerts);
        Assert.All(Alerts, alert =>
        {
            Assert.Contains(alert.Labels.GetValueOrDefault("severity"), new[] { "critical", "warning" });
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Alert}: no summary");
            Assert.Equal($"docs/runbook.md#{alert.Alert!.ToLowerInvariant()}", alert.Annotations.GetValueOrDefault("runbook_url"));
            Assert.Contains(alert.Alert, sections);
        });
    }

    [GeneratedRegex(@"^## (\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
