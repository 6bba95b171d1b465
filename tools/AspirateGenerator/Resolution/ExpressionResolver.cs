using AspirateGenerator.Manifest;

namespace AspirateGenerator.Resolution;

/// <summary>
/// Resolves the manifest's expressions (<c>{payment-provider.bindings.http.url}</c>, <c>{postgres.connectionString}</c>,
/// <c>{postgres-password.value}</c>) to what they mean inside the cluster: a resource is reached through its
/// Service, named after it, on the Service's port. Secret parameters stay symbolic (<see cref="SecretPart"/>).
/// </summary>
public sealed class ExpressionResolver(AspireManifest manifest)
{
    /// <summary>Where a project listens in its container when the manifest gives no port (Aspirate's defaults).</summary>
    public const int ProjectHttpPort = 8080;
    public const int ProjectHttpsPort = 8443;

    private readonly Stack<string> _resolving = new();

    public ResolvedValue Resolve(string expression)
    {
        var pieces = new List<ResolvedValue>();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < expression.Length; i++)
        {
            var character = expression[i];
            // The manifest escapes literal braces by doubling them.
            if ((character == '{' || character == '}') && i + 1 < expression.Length && expression[i + 1] == character)
            {
                text.Append(character);
                i++;
                continue;
            }
            if (character == '}')
            {
                throw new InvalidDataException($"Unbalanced '}}' in expression '{expression}'.");
            }
            if (character != '{')
            {
                text.Append(character);
                continue;
            }
            var end = expression.IndexOf('}', i + 1);
            if (end < 0)
            {
                throw new InvalidDataException($"Unclosed '{{' in expression '{expression}'.");
            }
            pieces.Add(ResolvedValue.Literal(text.ToString()));
            text.Clear();
            pieces.Add(ResolveReference(expression[(i + 1)..end]));
            i = end;
        }
        pieces.Add(ResolvedValue.Literal(text.ToString()));
        return ResolvedValue.Concat(pieces);
    }

    /// <summary>The port a container listens on for a binding: the manifest's targetPort, or a project's default.</summary>
    public static int TargetPort(ManifestResource resource, string bindingName, ManifestBinding binding) =>
        binding.TargetPort
        ?? (resource.Kind, binding.Scheme) switch
        {
            (ResourceKind.Project, "http") => ProjectHttpPort,
            (ResourceKind.Project, "https") => ProjectHttpsPort,
            _ => throw new InvalidDataException($"Binding '{bindingName}' has no targetPort."),
        };

    /// <summary>The port the Service offers for a binding: the manifest's port when it sets one, else the target port.</summary>
    public static int ServicePort(ManifestResource resource, string bindingName, ManifestBinding binding) =>
        binding.Port ?? TargetPort(resource, bindingName, binding);

    private ResolvedValue ResolveReference(string reference)
    {
        if (_resolving.Contains(reference))
        {
            throw new InvalidDataException($"Expression '{{{reference}}}' refers to itself.");
        }
        _resolving.Push(reference);
        try
        {
            var path = reference.Split('.');
            var name = path[0];
            var resource = manifest.Get(name);
            return path[1..] switch
            {
                ["bindings", var binding, var property] => ResolveBinding(name, resource, binding, property),
                ["connectionString"] => Resolve(resource.ConnectionString
                    ?? throw new InvalidDataException($"Resource '{name}' has no connectionString ({{{reference}}}).")),
                ["value"] or ["inputs", "value"] => ResolveValue(name, resource),
                _ => throw new InvalidDataException($"Unsupported expression '{{{reference}}}'."),
            };
        }
        finally
        {
            _resolving.Pop();
        }
    }

    private static ResolvedValue ResolveBinding(string name, ManifestResource resource, string bindingName, string property)
    {
        var binding = resource.Bindings?.GetValueOrDefault(bindingName)
            ?? throw new InvalidDataException($"Resource '{name}' has no binding '{bindingName}'.");
        var value = property switch
        {
            "host" => name,
            "port" => ServicePort(resource, bindingName, binding).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "targetPort" => TargetPort(resource, bindingName, binding).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "scheme" => binding.Scheme,
            "url" => $"{binding.Scheme}://{name}:{ServicePort(resource, bindingName, binding)}",
            _ => throw new InvalidDataException($"Unsupported binding property '{property}' of {name}.bindings.{bindingName}."),
        };
        return ResolvedValue.Literal(value) with { UsesHttps = binding.Scheme == "https" };
    }

    private ResolvedValue ResolveValue(string name, ManifestResource resource) => resource.Kind switch
    {
        ResourceKind.Parameter => ResolveParameter(name, resource),
        ResourceKind.AnnotatedString => ApplyFilter(name, resource.Filter, Resolve(RequireValue(name, resource))),
        _ => Resolve(RequireValue(name, resource)),
    };

    private static ResolvedValue ResolveParameter(string name, ManifestResource resource)
    {
        var input = resource.Inputs?.GetValueOrDefault("value");
        if (input is null || input.Secret)
        {
            return new ResolvedValue([new SecretPart(name)]);
        }
        return ResolvedValue.Literal(input.Default?.Value
            ?? throw new InvalidDataException($"Parameter '{name}' is not secret and has no default value: give it one in the AppHost."));
    }

    private static ResolvedValue ApplyFilter(string name, string? filter, ResolvedValue value) => filter switch
    {
        null => value,
        "uri" => value with
        {
            Parts = [.. value.Parts.Select(ValuePart (part) => part switch
            {
                LiteralPart literal => new LiteralPart(Uri.EscapeDataString(literal.Text)),
                SecretPart { Filter: null } secret => secret with { Filter = filter },
                _ => throw new InvalidDataException($"Annotated string '{name}' applies '{filter}' twice."),
            })],
        },
        _ => throw new InvalidDataException($"Annotated string '{name}' has unsupported filter '{filter}'."),
    };

    private static string RequireValue(string name, ManifestResource resource) =>
        resource.Value ?? resource.ConnectionString
        ?? throw new InvalidDataException($"Resource '{name}' has no value.");
}
