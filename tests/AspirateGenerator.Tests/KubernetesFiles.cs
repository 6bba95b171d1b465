using k8s;
using k8s.Models;

namespace AspirateGenerator.Tests;

/// <summary>Strict reading of generated files: a field the typed model does not know fails the parse.</summary>
internal static class KubernetesFiles
{
    public static object ParseStrictly(string relativePath, string yaml) => Path.GetFileName(relativePath) switch
    {
        "deployment.yaml" => KubernetesYaml.Deserialize<V1Deployment>(yaml, strict: true),
        "statefulset.yaml" => KubernetesYaml.Deserialize<V1StatefulSet>(yaml, strict: true),
        "service.yaml" => KubernetesYaml.Deserialize<V1Service>(yaml, strict: true),
        "kustomization.yaml" => KubernetesYaml.Deserialize<KustomizationDocument>(yaml, strict: true),
        _ => throw new InvalidOperationException($"{relativePath} is not a Kubernetes or kustomize file."),
    };

    public static bool IsYaml(string relativePath) => relativePath.EndsWith(".yaml", StringComparison.Ordinal);
}

/// <summary>The kustomize fields the layout may use; anything else in a generated kustomization.yaml is an error.</summary>
internal sealed class KustomizationDocument
{
    public List<string> Resources { get; set; } = [];

    public GeneratorOptionsDocument? GeneratorOptions { get; set; }

    public List<ConfigMapGeneratorDocument>? ConfigMapGenerator { get; set; }

    internal sealed class GeneratorOptionsDocument
    {
        public bool DisableNameSuffixHash { get; set; }
    }

    internal sealed class ConfigMapGeneratorDocument
    {
        public string Name { get; set; } = "";

        public List<string> Literals { get; set; } = [];
    }
}
