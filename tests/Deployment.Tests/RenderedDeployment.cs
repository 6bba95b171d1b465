using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// The objects <c>kubectl kustomize</c> renders from one of the committed overlays, deserialised strictly
/// (an unknown field fails) into the KubernetesClient models. Rendered once per overlay and shared.
/// </summary>
public sealed class RenderedDeployment
{
    /// <summary>The default deployment and the one with the in-cluster dashboard.</summary>
    public const string Default = "overlay";
    public const string WithDashboard = "with-dashboard";

    /// <summary>Aspirate's output alone, before the overlay: what the post-processing must fix.</summary>
    public const string AspirateBase = "aspirate-output";

    public static TheoryData<string> Variants => new(Default, WithDashboard);

    private static readonly ConcurrentDictionary<string, Lazy<RenderedDeployment>> Cache = new();

    public string Variant { get; }
    public string Yaml { get; }
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    private RenderedDeployment(string variant, string yaml)
    {
        Variant = variant;
        Yaml = yaml;
        Objects = KubernetesYaml.LoadAllFromString(yaml, strict: true)
            .Select(item => item as IKubernetesObject<V1ObjectMeta>
                ?? throw new InvalidOperationException(
                    $"rendered item {item?.GetType().Name ?? "null"} is not a Kubernetes object with metadata"))
            .ToList();
    }

    public static RenderedDeployment Of(string variant)
    {
        var kubectl = Requirement.NeedExecutable("kubectl", "install kubectl 1.27 or newer; it carries kustomize");
        return Cache.GetOrAdd(variant, name => new Lazy<RenderedDeployment>(() => Render(kubectl, name))).Value;
    }

    /// <summary>Parses already rendered YAML, e.g. what <c>deploy.sh --dry-run</c> wrote.</summary>
    public static RenderedDeployment Parse(string variant, string yaml) => new(variant, yaml);

    public static string Kustomize(string kubectl, string directory)
    {
        var start = new ProcessStartInfo(kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {error.Result}");
        }
        return output.Result;
    }

    private static RenderedDeployment Render(string kubectl, string variant) => new(
        variant,
        Kustomize(kubectl, variant == AspirateBase ? RepositoryRoot.Combine(AspirateBase) : RepositoryRoot.Combine("deploy", variant)));

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    public IReadOnlyList<Workload> Workloads =>
        [
            .. OfType<V1Deployment>().Select(d => new Workload(d.Kind, d.Metadata, d.Spec.Selector, d.Spec.Template, d.Spec.Replicas)),
            .. OfType<V1StatefulSet>().Select(s => new Workload(s.Kind, s.Metadata, s.Spec.Selector, s.Spec.Template, s.Spec.Replicas)),
            // The API server gives a Job a selector of its own that matches its template; the template's labels stand for it.
            .. OfType<V1Job>().Select(j => new Workload(
                j.Kind,
                j.Metadata,
                j.Spec.Selector ?? new V1LabelSelector { MatchLabels = j.Spec.Template.Metadata.Labels },
                j.Spec.Template,
                j.Spec.Parallelism ?? 1)),
        ];

    public Workload Workload(string name) => Workloads.Single(w => w.Name == name);

    public IReadOnlyDictionary<string, string> NamespaceLabels(string name)
    {
        var labels = OfType<V1Namespace>().SingleOrDefault(n => n.Metadata.Name == name)?.Metadata.Labels
            ?? new Dictionary<string, string>();
        // The API server adds this label to every namespace; policies select namespaces by it.
        return new Dictionary<string, string>(labels) { ["kubernetes.io/metadata.name"] = name };
    }
}

/// <summary>A Deployment or StatefulSet, the part of either the checklist reads.</summary>
public sealed record Workload(string Kind, V1ObjectMeta Metadata, V1LabelSelector Selector, V1PodTemplateSpec Template, int? Replicas)
{
    public const string ExemptionPrefix = "checklist.invoice-payments/";

    public string Name => Metadata.Name;
    public string Namespace => Metadata.NamespaceProperty;
    public V1PodSpec Pod => Template.Spec;
    public IReadOnlyDictionary<string, string> PodLabels => (IReadOnlyDictionary<string, string>)Template.Metadata.Labels;
    public override string ToString() => $"{Kind} {Namespace}/{Name}";

    /// <summary>The reason, written on the object, why a checklist row is deliberately not met; null when none.</summary>
    public string? Exemption(string row) =>
        Metadata.Annotations?.TryGetValue(ExemptionPrefix + row, out var reason) == true && !string.IsNullOrWhiteSpace(reason)
            ? reason
            : null;
}
