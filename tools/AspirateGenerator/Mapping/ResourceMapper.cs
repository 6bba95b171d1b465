using AspirateGenerator.Manifest;
using AspirateGenerator.Resolution;
using k8s;
using k8s.Models;

namespace AspirateGenerator.Mapping;

/// <summary>
/// Maps the manifest's projects and containers to the Kubernetes objects Aspirate's kustomize output holds:
/// label <c>app: &lt;name&gt;</c> only, one replica, Recreate, no probes, resources or security context (the
/// overlay adds those). Parameters, values and annotated strings only feed other resources' environment.
/// </summary>
public sealed class ResourceMapper(AspireManifest manifest, GeneratorOptions options)
{
    private const string AppLabel = "app";
    private const string ProjectUrls = "http://+:8080;";

    private readonly ExpressionResolver _resolver = new(manifest);

    public IReadOnlyList<ResourceManifests> MapAll() =>
        [.. manifest.Resources
            .Where(entry => IsWorkload(entry.Key, entry.Value))
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => Map(entry.Key, entry.Value))];

    public ResourceManifests Map(string name, ManifestResource resource)
    {
        var (environment, secrets) = SplitEnvironment(resource);
        var labels = new Dictionary<string, string> { [AppLabel] = name };
        var ports = Ports(resource).ToList();
        var container = Container(name, resource, ports, environment.Count > 0, secrets.Count > 0);
        // Like Aspirate: a container that keeps data in volumes gets a StatefulSet with a claim per volume.
        IKubernetesObject<V1ObjectMeta> workload = resource.Volumes is { Count: > 0 } volumes
            ? StatefulSet(name, labels, container, volumes)
            : Deployment(name, labels, container);
        var service = ports.Count == 0 ? null : Service(name, labels, ports);
        return new ResourceManifests(name, workload, service, environment, secrets);
    }

    private static bool IsWorkload(string name, ManifestResource resource) => resource.Kind switch
    {
        ResourceKind.Project or ResourceKind.Container => true,
        ResourceKind.Value or ResourceKind.Parameter or ResourceKind.AnnotatedString => false,
        _ => throw new InvalidDataException($"Resource '{name}' has type '{resource.Type}', which the generator does not support."),
    };

    /// <summary>
    /// Splits the resolved environment: plain values go to the ConfigMap, values derived from a secret parameter
    /// to the Secret (as templates), values built from an https endpoint are dropped (pods serve http only).
    /// </summary>
    private (List<KeyValuePair<string, string>> Environment, List<KeyValuePair<string, string>> Secrets) SplitEnvironment(ManifestResource resource)
    {
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, expression) in resource.Env ?? new Dictionary<string, string>())
        {
            var value = _resolver.Resolve(expression);
            if (value.UsesHttps)
            {
                continue;
            }
            if (value.IsSecret)
            {
                secrets[key] = value.Template;
            }
            else
            {
                environment[key] = value.Text;
            }
        }
        if (resource.Kind == ResourceKind.Project)
        {
            environment["ASPNETCORE_URLS"] = ProjectUrls;
        }
        return ([.. environment], [.. secrets]);
    }

    private V1Container Container(string name, ManifestResource resource, List<EndpointPort> ports, bool hasEnvironment, bool hasSecrets)
    {
        var envFrom = new List<V1EnvFromSource>();
        if (hasEnvironment)
        {
            envFrom.Add(new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = $"{name}-env" } });
        }
        if (hasSecrets)
        {
            envFrom.Add(new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = $"{name}-secrets" } });
        }
        return new V1Container
        {
            Name = name,
            Image = resource.Kind == ResourceKind.Project ? options.ProjectImage(name) : RequireImage(name, resource),
            ImagePullPolicy = options.ImagePullPolicy,
            Command = resource.Entrypoint is null ? null : [resource.Entrypoint],
            Args = resource.Args is { Count: > 0 } args ? [.. args.Select(argument => PlainArgument(name, argument))] : null,
            Ports = ports.Count == 0 ? null : [.. ports.Select(port => new V1ContainerPort { Name = port.Name, ContainerPort = port.TargetPort })],
            EnvFrom = envFrom.Count == 0 ? null : envFrom,
            VolumeMounts = resource.Volumes is { Count: > 0 } volumes
                ? [.. volumes.Select(volume => new V1VolumeMount { Name = volume.Name, MountPath = volume.Target, ReadOnlyProperty = volume.ReadOnly ? true : null })]
                : null,
        };
    }

    private string PlainArgument(string name, string argument)
    {
        var value = _resolver.Resolve(argument);
        return value.IsSecret
            ? throw new InvalidDataException($"An argument of '{name}' contains a secret; pass secrets through the environment.")
            : value.Text;
    }

    private static string RequireImage(string name, ManifestResource resource) =>
        resource.Image ?? throw new InvalidDataException($"Container '{name}' has no image (a Dockerfile build is not supported).");

    /// <summary>The http and tcp endpoints, by binding name; https ones are left out as Aspirate serves http only.</summary>
    private static IEnumerable<EndpointPort> Ports(ManifestResource resource) =>
        (resource.Bindings ?? new Dictionary<string, ManifestBinding>())
            .Where(entry => entry.Value.Scheme != "https")
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => new EndpointPort(
                entry.Key,
                ExpressionResolver.ServicePort(resource, entry.Key, entry.Value),
                ExpressionResolver.TargetPort(resource, entry.Key, entry.Value)));

    private static V1Deployment Deployment(string name, Dictionary<string, string> labels, V1Container container) =>
        new()
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata(name, labels),
            Spec = new V1DeploymentSpec
            {
                MinReadySeconds = 60,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Template = PodTemplate(labels, container),
            },
        };

    private static V1StatefulSet StatefulSet(
        string name, Dictionary<string, string> labels, V1Container container, IReadOnlyList<ManifestVolume> volumes) =>
        new()
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Metadata(name, labels),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = name,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                Template = PodTemplate(labels, container),
                VolumeClaimTemplates = [.. volumes.Select(volume => new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = volume.Name },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new V1VolumeResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") },
                        },
                    },
                })],
            },
        };

    private static V1Service Service(string name, Dictionary<string, string> labels, List<EndpointPort> ports) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(name, labels),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string>(labels),
            Ports = [.. ports.Select(port => new V1ServicePort
            {
                Name = port.Name,
                Port = port.Port,
                TargetPort = port.TargetPort,
            })],
        },
    };

    private static V1ObjectMeta Metadata(string name, Dictionary<string, string> labels) =>
        new() { Name = name, Labels = new Dictionary<string, string>(labels) };

    private static V1PodTemplateSpec PodTemplate(Dictionary<string, string> labels, V1Container container) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
        Spec = new V1PodSpec
        {
            Containers = [container],
            TerminationGracePeriodSeconds = 180,
        },
    };

    private sealed record EndpointPort(string Name, int Port, int TargetPort);
}
