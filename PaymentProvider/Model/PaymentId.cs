using System.Buffers;
using System.Text;

namespace PaymentProvider.Model;

/// <summary>Each id is one URL path segment that <c>GET /payments/{id}</c> finds as sent (no <c>.</c>, <c>..</c> or
/// <c>/</c>), and no two look alike (ASCII only: no zero-width or bidi characters).</summary>
public static class PaymentId
{
    public const int MaxLength = 64;

    /// <summary>Why <paramref name="id"/> is not a payment id, or null when it is one.</summary>
    public static string? Problem(string id)
    {
        if (id.Length == 0)
        {
            return "payment id must not be empty";
        }
        if (id.Length > MaxLength)
        {
            return $"payment id must be at most {MaxLength} characters";
        }
        if (id.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            return "payment id must not contain control characters";
        }
        if (id.AsSpan().IndexOfAnyExcept(Allowed) is var other and >= 0)
        {
            var character = Rune.TryGetRuneAt(id, other, out var rune) ? rune.Value : id[other];
            return $"payment id may contain only ASCII letters, digits, '-', '_', '.' and ':' (not U+{character:X4})";
        }
        if (id[0] == '.')
        {
            return "payment id must not start with '.'";
        }
        return null;
    }

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");
}
