namespace AspirateGenerator.Output;

/// <summary>The few fields of a kustomize <c>kustomization.yaml</c> that Aspirate's layout uses.</summary>
public sealed record Kustomization(
    IReadOnlyList<string> Resources,
    KustomizationGeneratorOptions? GeneratorOptions = null,
    IReadOnlyList<KustomizationConfigMapGenerator>? ConfigMapGenerator = null);

public sealed record KustomizationGeneratorOptions(bool DisableNameSuffixHash);

public sealed record KustomizationConfigMapGenerator(string Name, IReadOnlyList<string> Literals);
