namespace Deployment.Tests;

/// <summary>
/// What each team may do, evaluated over the rendered Roles and RoleBindings: manage its own workload in its
/// own namespace, and nothing in the other team's, the database's or the cluster's scope; never Secrets directly,
/// exec or attach. Running pods counts as reading the namespace's Secrets (a pod can mount any of them), so a
/// team effectively reads its own namespace's Secrets and no other's. test.sh asks a real API server the same
/// questions with `kubectl auth can-i`.
/// </summary>
public sealed class RbacTableTests
{
    private static readonly (string Verb, string ApiGroup, string Resource)[] ManageWorkload =
    [
        ("get", "apps", "deployments"), ("update", "apps", "deployments"), ("patch", "apps", "deployments"),
        ("patch", "apps", "deployments/scale"), ("list", "", "pods"), ("delete", "", "pods"), ("get", "", "pods/log"),
        ("create", "", "configmaps"), ("update", "", "services"), ("patch", "autoscaling", "horizontalpodautoscalers"),
        ("update", "policy", "poddisruptionbudgets"), ("list", "", "events"),
    ];

    private static readonly (string Verb, string ApiGroup, string Resource)[] NeverAllowed =
    [
        ("get", "", "secrets"), ("list", "", "secrets"), ("create", "", "secrets"), ("create", "", "pods/exec"),
        ("create", "", "pods/attach"), ("create", "", "pods/portforward"), ("create", "rbac.authorization.k8s.io", "roles"),
        ("create", "rbac.authorization.k8s.io", "rolebindings"), ("create", "networking.k8s.io", "networkpolicies"),
        ("delete", "networking.k8s.io", "networkpolicies"), ("create", "", "serviceaccounts"),
    ];

    private static readonly Dictionary<string, string> TeamNamespace = new()
    {
        ["invoices-developers"] = "invoices",
        ["payments-developers"] = "payments",
    };

    public static TheoryData<string, string, string, string, string, bool> Cells
    {
        get
        {
            var data = new TheoryData<string, string, string, string, string, bool>();
            foreach (var (team, own) in TeamNamespace)
            {
                foreach (var ns in new[] { "invoices", "payments", "data", "observability" })
                {
                    foreach (var (verb, apiGroup, resource) in ManageWorkload)
                    {
                        data.Add(team, verb, apiGroup, resource, ns, ns == own);
                    }
                    foreach (var (verb, apiGroup, resource) in NeverAllowed)
                    {
                        data.Add(team, verb, apiGroup, resource, ns, false);
                    }
                }
                // Cluster-scoped: nothing at all.
                data.Add(team, "create", "", "namespaces", "", false);
                data.Add(team, "delete", "", "namespaces", "", false);
                data.Add(team, "list", "", "nodes", "", false);
                data.Add(team, "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", false);
            }
            // Only the team whose service users reach may route traffic to it; payment-provider stays internal.
            data.Add("invoices-developers", "create", "networking.k8s.io", "ingresses", "invoices", true);
            data.Add("payments-developers", "create", "networking.k8s.io", "ingresses", "payments", false);
            data.Add("someone-else", "get", "apps", "deployments", "invoices", false);
            data.Add("someone-else", "get", "apps", "deployments", "payments", false);
            return data;
        }
    }

    [Theory, MemberData(nameof(Cells))]
    public void Each_team_manages_only_its_own_namespace(string team, string verb, string apiGroup, string resource, string ns, bool expected)
    {
        foreach (var variant in new[] { RenderedDeployment.Default, RenderedDeployment.WithDashboard })
        {
            var rbac = new RbacEvaluator(RenderedDeployment.Of(variant));

            var allowed = rbac.Can(team, verb, apiGroup, resource, ns.Length == 0 ? null : ns);

            Assert.True(allowed == expected,
                $"{variant}: {team} {verb} {apiGroup}/{resource} in {(ns.Length == 0 ? "the cluster scope" : ns)} should be {(expected ? "allowed" : "forbidden")}");
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
                Assert.True(rbac.CanReadSecrets(team, ns) == (ns == own),
                    $"{variant}: {team} {(ns == own ? "runs its own workload, and so reads the Secrets," : "must neither run pods nor read Secrets")} in {ns}");
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
