using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspirateGenerator.Manifest;

/// <summary>The Aspire publish manifest (<c>--publisher manifest</c>): every resource of the AppHost by name.</summary>
public sealed record AspireManifest(IReadOnlyDictionary<string, ManifestResource> Resources)
{
    public static AspireManifest Parse(string json) =>
        JsonSerializer.Deserialize(json, ManifestJsonContext.Default.AspireManifest)
        ?? throw new InvalidDataException("The manifest is empty.");

    public static AspireManifest Load(string path) => Parse(File.ReadAllText(path));

    public ManifestResource Get(string name) =>
        Resources.TryGetValue(name, out var resource)
            ? resource
            : throw new InvalidDataException($"The manifest has no resource named '{name}'.");
}

/// <summary>
/// One resource. The manifest uses one shape for every type and leaves out what a type does not have, so every
/// field except <see cref="Type"/> is optional.
/// </summary>
public sealed record ManifestResource(
    string Type,
    string? Image = null,
    string? ConnectionString = null,
    string? Value = null,
    string? Filter = null,
    string? Entrypoint = null,
    IReadOnlyList<string>? Args = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, ManifestBinding>? Bindings = null,
    IReadOnlyList<ManifestVolume>? Volumes = null,
    IReadOnlyDictionary<string, ManifestInput>? Inputs = null)
{
    public ResourceKind Kind => Type switch
    {
        "project.v0" or "project.v1" => ResourceKind.Project,
        "container.v0" or "container.v1" => ResourceKind.Container,
        "value.v0" => ResourceKind.Value,
        "parameter.v0" => ResourceKind.Parameter,
        "annotated.string" => ResourceKind.AnnotatedString,
        _ => ResourceKind.Unsupported,
    };
}

public enum ResourceKind
{
    Project,
    Container,
    Value,
    Parameter,
    AnnotatedString,
    Unsupported,
}

/// <summary>An endpoint. Projects leave the ports out: in a container they listen on 8080 (http).</summary>
public sealed record ManifestBinding(
    string Scheme,
    string Protocol,
    string Transport,
    int? Port = null,
    int? TargetPort = null,
    bool External = false);

public sealed record ManifestVolume(string Name, string Target, bool ReadOnly = false);

public sealed record ManifestInput(string Type, bool Secret = false, ManifestInputDefault? Default = null);

public sealed record ManifestInputDefault(string? Value = null, ManifestGenerateDefault? Generate = null);

public sealed record ManifestGenerateDefault(int MinLength = 0);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(AspireManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
