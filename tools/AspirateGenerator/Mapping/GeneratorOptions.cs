namespace AspirateGenerator.Mapping;

/// <summary>What the command line may change; the defaults are Aspirate's.</summary>
public sealed record GeneratorOptions(
    string ImagePullPolicy = GeneratorOptions.DefaultImagePullPolicy,
    string? ContainerRegistry = null,
    string ImageTag = GeneratorOptions.DefaultImageTag)
{
    public const string DefaultImagePullPolicy = "IfNotPresent";
    public const string DefaultImageTag = "latest";

    /// <summary>A project's image: <c>[registry/]name:tag</c>, as Aspirate names the images it builds.</summary>
    public string ProjectImage(string resourceName) =>
        string.IsNullOrEmpty(ContainerRegistry)
            ? $"{resourceName}:{ImageTag}"
            : $"{ContainerRegistry.TrimEnd('/')}/{resourceName}:{ImageTag}";
}
