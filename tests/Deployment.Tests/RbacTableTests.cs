namespace Deployment.Tests;

/// <summary>
/// What each team may do, deploy/rbac-table.txt row by row, evaluated over the rendered Roles and RoleBindings
/// (test.sh asks a real API server the same questions with `kubectl auth can-i`). Running pods counts as reading
/// the namespace's Secrets (a pod can mount any of them), so a team effectively reads its own namespace's Secrets
/// and no other's.
/// </summary>
public sealed class RbacTableTests
{
    private const string File = "rbac-table.txt";

    private static readonly Dictionary<string, string> TeamNamespace = new()
    {
        ["invoices-developers"] = "invoices",
        ["payments-developers"] = "payments",
    };

    /// <summary>Each row as the evaluator asks it: kubectl's RESOURCE[.GROUP][/SUBRESOURCE] split into API group and resource.</summary>
    public static TheoryData<string, string, string, string, string, bool> Cells
    {
        get
        {
            var data = new TheoryData<string, string, string, string, string, bool>();
            foreach (var row in TableFile.Read(File))
            {
                var (type, subresource) = row["resource"].Split('/') switch
                {
                    [var t] => (t, ""),
                    [var t, var s] => (t, "/" + s),
                    _ => throw new InvalidDataException($"deploy/{File}: resource '{row["resource"]}'"),
                };
                var dot = type.IndexOf('.', StringComparison.Ordinal);
                var (resource, apiGroup) = dot < 0 ? (type, "") : (type[..dot], type[(dot + 1)..]);
                var expected = row["expected"] switch
                {
                    "yes" => true,
                    "no" => false,
                    var other => throw new InvalidDataException($"deploy/{File}: expected is yes or no, not '{other}'"),
                };
                data.Add(
                    row["team"], row["verb"], apiGroup, resource + subresource, row["namespace"] == "-" ? "" : row["namespace"], expected);
            }
            return data;
        }
    }

    /// <summary>The checklist's RBAC rows for each team in every namespace, and each team's own workload, are in the file.</summary>
    [Fact]
    public void The_table_file_asks_the_checklists_questions()
    {
        var rows = TableFile.Read(File).Select(r => $"{r["team"]} {r["namespace"]} {r["verb"]} {r["resource"]} {r["expected"]}").ToList();
        foreach (var (team, own) in TeamNamespace)
        {
            foreach (var ns in new[] { "invoices", "payments", "data", "observability" })
            {
                Assert.All(new[] { "get secrets", "create pods/exec", "create pods/attach", "create roles.rbac.authorization.k8s.io" },
                    question => Assert.Contains($"{team} {ns} {question} no", rows));
                Assert.Contains($"{team} {ns} patch deployments.apps {(ns == own ? "yes" : "no")}", rows);
            }
            Assert.Contains($"{team} - create namespaces no", rows);
        }
        Assert.Equal(rows.Count, rows.Select(r => r[..r.LastIndexOf(' ')]).Distinct().Count());
    }

    [Theory, MemberData(nameof(Cells))]
    public void Each_team_manages_only_its_own_namespace(
        string team, string verb, string apiGroup, string resource, string ns, bool expected)
    {
        foreach (var variant in new[] { RenderedDeployment.Default, RenderedDeployment.WithDashboard })
        {
            var rbac = new RbacEvaluator(RenderedDeployment.Of(variant));

            var allowed = rbac.Can(team, verb, apiGroup, resource, ns.Length == 0 ? null : ns);

            Assert.True(allowed == expected,
                $"{variant}: {team} {verb} {apiGroup}/{resource} in {(ns.Length == 0 ? "the cluster scope" : ns)} " +
                $"should be {(expected ? "allowed" : "forbidden")}");
        }
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Whoever_may_run_pods_in_a_namespace_counts_as_reading_its_secrets_and_that_is_only_a_team_in_its_own(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var rbac = new RbacEvaluator(rendered);
        var namespaces = rendered.OfType<k8s.Models.V1Namespace>().Select(n => n.Metadata.Name).ToList();
        Assert.Contains("data", namespaces);

        foreach (var (team, own) in TeamNamespace)
        {
            foreach (var ns in namespaces)
            {
                var expectation = ns == own ? "runs its own workload, and so reads the Secrets," : "must neither run pods nor read Secrets";
                Assert.True(rbac.CanReadSecrets(team, ns) == (ns == own), $"{variant}: {team} {expectation} in {ns}");
                // Directly, never: the only way is through its own pods, which read only its own service's Secret.
                Assert.False(rbac.Can(team, "get", "", "secrets", ns), $"{variant}: {team} gets Secrets in {ns} directly");
            }
            Assert.True(rbac.CanRunPods(team, own), $"{variant}: {team} deploys its own workload");
        }
        Assert.False(rbac.CanReadSecrets("someone-else", "invoices"));
    }

    [Fact]
    public void Every_way_to_run_a_pod_counts_as_reading_secrets()
    {
        // The evaluator's rule, seen failing on purpose: a Role that grants only one of these verbs on one of these
        // resources already reads the namespace's Secrets.
        foreach (var (apiGroup, resource) in RbacEvaluator.PodRunners)
        {
            foreach (var verb in new[] { "create", "update", "patch" })
            {
                var yaml = $$"""
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: sandbox
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata:
                      name: one-verb
                      namespace: sandbox
                    rules:
                    - apiGroups: ["{{apiGroup}}"]
                      resources: ["{{resource}}"]
                      verbs: ["{{verb}}"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata:
                      name: one-verb
                      namespace: sandbox
                    roleRef:
                      apiGroup: rbac.authorization.k8s.io
                      kind: Role
                      name: one-verb
                    subjects:
                    - apiGroup: rbac.authorization.k8s.io
                      kind: Group
                      name: team
                    """;
                var rbac = new RbacEvaluator(RenderedDeployment.Parse("one rule", yaml));

                Assert.True(rbac.CanReadSecrets("team", "sandbox"), $"{verb} {apiGroup}/{resource}");
                Assert.False(rbac.CanReadSecrets("team", "elsewhere"), $"{verb} {apiGroup}/{resource} in another namespace");
            }
        }
    }
}
