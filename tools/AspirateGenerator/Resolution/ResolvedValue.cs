using System.Text;

namespace AspirateGenerator.Resolution;

/// <summary>A piece of a resolved value: plain text, or a reference to a secret parameter whose value is never known here.</summary>
public abstract record ValuePart;

public sealed record LiteralPart(string Text) : ValuePart;

/// <summary>The value of secret parameter <paramref name="Parameter"/>, encoded by <paramref name="Filter"/> ("uri") when set.</summary>
public sealed record SecretPart(string Parameter, string? Filter = null) : ValuePart
{
    /// <summary>The placeholder written into secret templates: <c>{name.value}</c> or <c>{name.value|uri}</c>.</summary>
    public string Placeholder => Filter is null ? $"{{{Parameter}.value}}" : $"{{{Parameter}.value|{Filter}}}";
}

/// <summary>
/// A manifest expression resolved for the cluster. <see cref="UsesHttps"/> marks a value built from an https
/// endpoint: the pods serve plain http only (as with Aspirate), so such values are left out.
/// </summary>
public sealed record ResolvedValue(IReadOnlyList<ValuePart> Parts, bool UsesHttps = false)
{
    public static ResolvedValue Literal(string text) => new([new LiteralPart(text)]);

    public bool IsSecret => Parts.Any(part => part is SecretPart);

    /// <summary>The plain text; only for values that hold no secret.</summary>
    public string Text => IsSecret
        ? throw new InvalidOperationException("A value derived from a secret has no plain text here.")
        : Render(part => part is LiteralPart literal ? literal.Text : "");

    /// <summary>The value with each secret replaced by its placeholder: safe to write down, useless without the secret.</summary>
    public string Template => Render(part => part switch
    {
        LiteralPart literal => literal.Text,
        SecretPart secret => secret.Placeholder,
        _ => throw new InvalidOperationException($"Unknown value part {part}."),
    });

    public static ResolvedValue Concat(IEnumerable<ResolvedValue> values)
    {
        var parts = new List<ValuePart>();
        var usesHttps = false;
        foreach (var value in values)
        {
            usesHttps |= value.UsesHttps;
            foreach (var part in value.Parts)
            {
                // Adjacent text is merged so equal values compare equal however they were assembled.
                if (part is LiteralPart next && parts.Count > 0 && parts[^1] is LiteralPart previous)
                {
                    parts[^1] = new LiteralPart(previous.Text + next.Text);
                }
                else if (part is not LiteralPart { Text.Length: 0 })
                {
                    parts.Add(part);
                }
            }
        }
        return new ResolvedValue(parts, usesHttps);
    }

    public bool Equals(ResolvedValue? other) =>
        other is not null && UsesHttps == other.UsesHttps && Parts.SequenceEqual(other.Parts);

    public override int GetHashCode() => HashCode.Combine(UsesHttps, Template);

    private string Render(Func<ValuePart, string> renderPart)
    {
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            text.Append(renderPart(part));
        }
        return text.ToString();
    }
}
