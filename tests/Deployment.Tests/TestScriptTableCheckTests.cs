using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// test.sh's cluster checks read the tables under deploy/ row by row, under both shells: against a stand-in kubectl
/// whose probe pods reach everything and whose API server allows everything, exactly the blocked cells and the "no"
/// answers of the tables fail.
/// </summary>
public sealed class TestScriptTableCheckTests : IDisposable
{
    private const string StandIn = """
        #!/usr/bin/env bash
        set -euo pipefail
        printf '%s\n' "$*" >>"$KUBECTL_LOG"
        case " $* " in
          *" auth can-i "*) echo yes ;;
          *" get namespace observability "*) ;;
          *" get pods "*) printf '10.0.0.9' ;;
          *" run "*)
            for argument in "$@"; do
              case "$argument" in --overrides=*) overrides="${argument#--overrides=}" ;; esac
            done
            script="$(printf '%s' "$overrides" | jq -r '.spec.containers[0].command[2]')"
            sh -c "nc() { true; }; nslookup() { true; }; $script"
            ;;
          *) echo "the stand-in does not know: $*" >&2; exit 1 ;;
        esac
        """;

    private readonly TemporaryDirectory _folder = new("test-script-tables");

    private async Task<(ProcessRun Run, string[] Calls)> RunCheckAsync(string shell, string check)
    {
        Requirement.NeedExecutable("jq", "apt-get install -y jq");
        var kubectl = _folder.File("kubectl");
        File.WriteAllText(kubectl, StandIn.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var log = _folder.File("kubectl.log");
        File.WriteAllText(log, "");
        var script = $"source ./test.sh; kubectl_cmd=(kubectl --context stand-in); make_temporary_folder; {check}; script_completed";
        var run = await Processes.RunAsync(Shells.Path(shell), ["-c", script], new Dictionary<string, string>
        {
            ["PATH"] = $"{_folder.Path}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
            ["KUBECTL_LOG"] = log,
        }, TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        return (run, File.ReadAllLines(log));
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Check_network_policies_probes_the_rows_marked_probe_for_the_variant_deployed(string shell)
    {
        var probed = TableFile.Read("network-policy-truth-table.txt")
            .Where(r => r["probe"] == "yes" && r["variant"] is "all" or RenderedDeployment.WithDashboard).ToList();

        var (run, calls) = await RunCheckAsync(shell, "check_network_policies");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(
            $"{probed.Count(r => r["expected"] == "blocked")} cell(s) of the NetworkPolicy truth table do not hold",
            run.Error,
            StringComparison.Ordinal);
        Assert.Equal(probed.Count, run.Output.Split('\n')
            .Count(l => l.StartsWith("  ok ", StringComparison.Ordinal) || l.StartsWith("  FAIL ", StringComparison.Ordinal)));
        Assert.Contains(run.Output.Split('\n'),
            l => l.StartsWith("  ok    invoice-app -> aspire-dashboard:18889/TCP ", StringComparison.Ordinal));
        Assert.Contains(run.Output.Split('\n'),
            l => l.StartsWith("  FAIL  payment-provider -> invoice-app:8080/TCP ", StringComparison.Ordinal));
        Assert.Equal(probed.Select(r => r["from"]).Distinct().Count(),
            calls.Count(c => c.Contains(" run probe-", StringComparison.Ordinal)));
        Assert.Contains(calls, c => c.Contains(" run probe-", StringComparison.Ordinal)
            && c.Contains("-n ingress-nginx", StringComparison.Ordinal)
            && c.Contains(
                "--labels=app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Check_rbac_asks_the_api_server_every_row_of_the_table(string shell)
    {
        var rows = TableFile.Read("rbac-table.txt");

        var (run, calls) = await RunCheckAsync(shell, "check_rbac");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(
            $"{rows.Count(r => r["expected"] == "no")} RBAC answer(s) differ from the table", run.Error, StringComparison.Ordinal);
        Assert.Equal(rows.Count, calls.Count(c => c.Contains(" auth can-i ", StringComparison.Ordinal)));
        Assert.Contains(
            "--context stand-in auth can-i update deployments.apps "
            + "--as=someone-in-invoices-developers --as-group=invoices-developers -n invoices --subresource=scale",
            calls);
        Assert.Contains(
            "--context stand-in auth can-i list nodes --as=someone-in-payments-developers --as-group=payments-developers", calls);
    }

    public void Dispose() => _folder.Dispose();
}
