using System.Text;
using System.Text.Json;

namespace PaymentProvider.Model;

/// <summary>A payment request as received: parsed, with what only its raw JSON text shows.</summary>
public sealed record ReceivedPaymentRequest(PaymentRequest Request, PaymentRequestText Text);

/// <summary>What the parser hides: it keeps the last of two equal keys, rounds
/// <c>12.149999999999999999999999999999</c> to 12.15 and reads <c>1.215e1</c> as 12.15.</summary>
/// <param name="DuplicateKey">A top-level key that appears more than once, compared ignoring case as the parser matches keys.</param>
/// <param name="ValueNumber">The number token of <c>value</c> as sent, or null when it is not a number.</param>
public sealed record PaymentRequestText(string? DuplicateKey, string? ValueNumber)
{
    /// <summary>Reads the top level of a JSON object; throws <see cref="JsonException"/> when it is not well-formed JSON.</summary>
    public static PaymentRequestText Scan(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new PaymentRequestText(null, null);
        }
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? duplicate = null;
        string? valueNumber = null;
        // A property name is always a string: GetString yields null only for a JSON null token.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.GetString() is { } key)
        {
            if (!keys.Add(key))
            {
                duplicate ??= key;
            }
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && key.Equals("value", StringComparison.OrdinalIgnoreCase))
            {
                // A number token is never escaped: its bytes are the digits as sent.
                valueNumber = Encoding.UTF8.GetString(reader.ValueSpan);
            }
            reader.Skip();
        }
        return new PaymentRequestText(duplicate, valueNumber);
    }

    /// <summary>Whether the number as written is zero: no digit but 0 before any exponent.</summary>
    public static bool DenotesZero(string number)
    {
        var exponent = number.AsSpan().IndexOfAny('e', 'E');
        var mantissa = exponent >= 0 ? number.AsSpan(0, exponent) : number.AsSpan();
        return mantissa.IndexOfAnyInRange('1', '9') < 0;
    }

    /// <summary>Why the number as written is not an amount of whole cents, or null when it is one.</summary>
    public static string? ValueProblem(string number)
    {
        if (number.AsSpan().IndexOfAny('e', 'E') >= 0)
        {
            return "payment value must be a plain decimal number, without an exponent";
        }
        var point = number.IndexOf('.', StringComparison.Ordinal);
        // Trailing zeros do not change the amount: 12.150 is 12.15.
        return point >= 0 && number.AsSpan(point + 1).TrimEnd('0').Length > 2
            ? "payment value must have at most 2 decimal places"
            : null;
    }
}
