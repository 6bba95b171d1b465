namespace Deployment.Tests;

/// <summary>
/// What each team may do, evaluated over the rendered Roles and RoleBindings: manage its own workload in its
/// own namespace, and nothing in the other team's, the database's or the cluster's scope; never Secrets, exec
/// or attach. test.sh asks a real API server the same questions with `kubectl auth can-i`.
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
}
