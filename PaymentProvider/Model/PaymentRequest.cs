using System.Globalization;

namespace PaymentProvider.Model;

/// <summary>The body of <c>POST /payments/pay</c> as sent; every field may be missing.</summary>
public sealed record PaymentRequest(string? Id, decimal? Value, string? Currency)
{
    public const int MaxIdLength = 64;

    /// <summary>Larger than any real single payment; keeps NUMERIC(14,2) and every client's arithmetic safe.</summary>
    public const decimal MaxValue = 1_000_000_000m;

    /// <summary>Checks every field; the first four messages are the original service's, kept for its clients.</summary>
    public PaymentValidation Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            return PaymentValidation.Invalid("could not retrieve payment id");
        }
        if (Value is null or 0m)
        {
            return PaymentValidation.Invalid("could not retrieve payment value");
        }
        if (string.IsNullOrEmpty(Currency))
        {
            return PaymentValidation.Invalid("could not retrieve payment currency");
        }
        if (Id.Length > MaxIdLength)
        {
            return PaymentValidation.Invalid($"payment id must be at most {MaxIdLength} characters");
        }
        if (!IsPrintable(Id))
        {
            return PaymentValidation.Invalid("payment id must not contain control characters");
        }
        var value = Value.Value;
        if (value < 0m)
        {
            return PaymentValidation.Invalid("payment value must be positive");
        }
        if (decimal.Round(value, 2) != value)
        {
            return PaymentValidation.Invalid("payment value must have at most 2 decimal places");
        }
        if (value > MaxValue)
        {
            return PaymentValidation.Invalid(string.Create(CultureInfo.InvariantCulture, $"payment value must not exceed {MaxValue}"));
        }
        if (!IsIsoCurrency(Currency))
        {
            return PaymentValidation.Invalid("payment currency must be an ISO 4217 code of 3 upper-case letters");
        }
        return PaymentValidation.Valid(new PaymentRequestValues(Id, decimal.Round(value, 2), Currency));
    }

    public static bool IsValidId(string id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= MaxIdLength && IsPrintable(id);

    /// <summary>No control characters and no broken UTF-16 (a lone surrogate cannot be stored as UTF-8).</summary>
    private static bool IsPrintable(string id)
    {
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsIsoCurrency(string currency) =>
        currency.Length == 3 && currency.All(char.IsAsciiLetterUpper);
}

public sealed record PaymentValidation(PaymentRequestValues? Payment, string? Error)
{
    public static PaymentValidation Valid(PaymentRequestValues payment) => new(payment, null);
    public static PaymentValidation Invalid(string error) => new(null, error);
}
