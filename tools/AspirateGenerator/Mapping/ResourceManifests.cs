using k8s;
using k8s.Models;

namespace AspirateGenerator.Mapping;

/// <summary>
/// Everything generated for one workload resource: a Deployment, or a StatefulSet when it keeps data in volumes;
/// its Service (none when it has no port); the environment for the ConfigMap <c>&lt;name&gt;-env</c>; and for
/// the Secret <c>&lt;name&gt;-secrets</c>, which the base references but never contains, each key with a
/// template where the secret parameters appear only as placeholders.
/// </summary>
public sealed record ResourceManifests(
    string Name,
    IKubernetesObject<V1ObjectMeta> Workload,
    V1Service? Service,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<KeyValuePair<string, string>> SecretTemplates)
{
    public string ConfigMapName => $"{Name}-env";

    public string SecretName => $"{Name}-secrets";

    public IEnumerable<string> SecretKeys => SecretTemplates.Select(entry => entry.Key);

    public string WorkloadFileName => Workload is V1StatefulSet ? "statefulset.yaml" : "deployment.yaml";
}
