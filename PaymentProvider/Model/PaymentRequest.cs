using System.Globalization;

namespace PaymentProvider.Model;

/// <summary>The body of <c>POST /payments/pay</c> as sent; every field may be missing.</summary>
public sealed record PaymentRequest(string? Id, decimal? Value, string? Currency)
{
    /// <summary>Larger than any real single payment; keeps NUMERIC(14,2) and every client's arithmetic safe.</summary>
    public const decimal MaxValue = 1_000_000_000m;

    /// <summary>
    /// Checks every field; the first three messages are the original service's, kept for its clients.
    /// <paramref name="text"/> is what the raw JSON showed; without it the parsed value is all there is to check.
    /// </summary>
    public PaymentValidation Validate(PaymentRequestText? text = null)
    {
        if (text?.DuplicateKey is { } duplicate)
        {
            return PaymentValidation.Invalid($"the request body must not repeat a key (keys are compared ignoring case): \"{Shorten(duplicate)}\" appears more than once");
        }
        if (string.IsNullOrWhiteSpace(Id))
        {
            return PaymentValidation.Invalid("could not retrieve payment id");
        }
        // A token such as 1e-40 is not zero, though decimal rounds it to 0: the rules below name its real problem.
        if (Value is null || (Value == 0m && (text?.ValueNumber is not { } sent || PaymentRequestText.DenotesZero(sent))))
        {
            return PaymentValidation.Invalid("could not retrieve payment value");
        }
        if (string.IsNullOrEmpty(Currency))
        {
            return PaymentValidation.Invalid("could not retrieve payment currency");
        }
        if (PaymentId.Problem(Id) is { } idProblem)
        {
            return PaymentValidation.Invalid(idProblem);
        }
        var value = Value.Value;
        if (value < 0m)
        {
            return PaymentValidation.Invalid("payment value must be positive");
        }
        if (text?.ValueNumber is { } number && PaymentRequestText.ValueProblem(number) is { } numberProblem)
        {
            return PaymentValidation.Invalid(numberProblem);
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

    /// <summary>A key is the client's text: long enough to recognise, short enough for an error message.</summary>
    private static string Shorten(string key)
    {
        if (key.Length <= PaymentId.MaxLength)
        {
            return key;
        }
        var length = char.IsHighSurrogate(key[PaymentId.MaxLength - 1]) ? PaymentId.MaxLength - 1 : PaymentId.MaxLength;
        return $"{key[..length]}...";
    }

    private static bool IsIsoCurrency(string currency) =>
        currency.Length == 3 && currency.All(char.IsAsciiLetterUpper);
}

public sealed record PaymentValidation(PaymentRequestValues? Payment, string? Error)
{
    public static PaymentValidation Valid(PaymentRequestValues payment) => new(payment, null);
    public static PaymentValidation Invalid(string error) => new(null, error);
}
