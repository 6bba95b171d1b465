using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// Kubernetes RBAC authorisation over a set of rendered objects: a request is allowed when a binding that names
/// one of the caller's groups grants a rule matching its verb, API group and resource. RoleBindings grant within
/// their namespace only; ClusterRoleBindings everywhere (including cluster-scoped resources, namespace null).
/// </summary>
public sealed class RbacEvaluator(RenderedDeployment rendered)
{
    public bool Can(string group, string verb, string apiGroup, string resource, string? ns)
    {
        var viaRoles = rendered.OfType<V1RoleBinding>()
            .Where(b => ns is not null && b.Metadata.NamespaceProperty == ns && Names(b.Subjects, group))
            .SelectMany(b => RulesOf(b.RoleRef, b.Metadata.NamespaceProperty));
        var viaClusterRoles = rendered.OfType<V1ClusterRoleBinding>()
            .Where(b => Names(b.Subjects, group))
            .SelectMany(b => RulesOf(b.RoleRef, null));
        return viaRoles.Concat(viaClusterRoles).Any(rule =>
            Contains(rule.Verbs, verb) && Contains(rule.ApiGroups, apiGroup) && Contains(rule.Resources, resource)
            && (rule.ResourceNames is null || rule.ResourceNames.Count == 0));
    }

    /// <summary>
    /// What lets a caller run a pod of its own choosing in a namespace: creating or changing a pod or anything that
    /// stamps out pods. Such a pod can mount, or read into its environment, any Secret of its namespace; an image
    /// changed on an existing pod keeps the Secrets it already reads.
    /// </summary>
    public static readonly IReadOnlyList<(string ApiGroup, string Resource)> PodRunners =
    [
        ("", "pods"), ("", "pods/ephemeralcontainers"), ("", "replicationcontrollers"), ("apps", "deployments"), ("apps", "replicasets"),
        ("apps", "statefulsets"), ("apps", "daemonsets"), ("batch", "jobs"), ("batch", "cronjobs"),
    ];

    private static readonly string[] PodRunnerVerbs = ["create", "update", "patch"];
    private static readonly string[] SecretReadVerbs = ["get", "list", "watch"];

    public bool CanRunPods(string group, string ns) =>
        PodRunners.Any(r => PodRunnerVerbs.Any(verb => Can(group, verb, r.ApiGroup, r.Resource, ns)));

    /// <summary>Reading a namespace's Secrets directly or through a pod the caller may run there: the same power.</summary>
    public bool CanReadSecrets(string group, string ns) =>
        SecretReadVerbs.Any(verb => Can(group, verb, "", "secrets", ns)) || CanRunPods(group, ns);

    private static bool Names(IList<Rbacv1Subject>? subjects, string group) =>
        subjects?.Any(s => s.Kind == "Group" && s.Name == group) == true;

    private static bool Contains(IList<string>? values, string value) =>
        values is not null && (values.Contains(value) || values.Contains("*"));

    private IEnumerable<V1PolicyRule> RulesOf(V1RoleRef roleRef, string? ns) => roleRef.Kind switch
    {
        "Role" => rendered.OfType<V1Role>()
            .Where(r => r.Metadata.NamespaceProperty == ns && r.Metadata.Name == roleRef.Name)
            .SelectMany(r => r.Rules ?? []),
        "ClusterRole" => rendered.OfType<V1ClusterRole>().Where(r => r.Metadata.Name == roleRef.Name).SelectMany(r => r.Rules ?? []),
        _ => [],
    };
}
