using System.Globalization;

namespace PaymentProvider.Model;

/// <summary>The body of <c>POST /payments/pay</c> as sent; every field may be missing.</summary>
public sealed record PaymentRequest(string? Id, decimal? Value, string? Currency)
{
    /// <summary>Larger than any real single payment; keeps NUMERIC(14,2) and every client's arithmetic safe.</summary>
    public const decimal MaxValue = 1_000_000_000m;

    /// <summary>The first three messages are the original service's; without <paramref name="text"/> only the parsed
    /// value is checked.</summary>
    public PaymentValidation Validate(PaymentRequestText? text = null)
    {
        if (text?.DuplicateKey is { } duplicate)
        {
            return new PaymentValidation.Invalid("the request body must not repeat a key (keys are compared ignoring case): "
                + $"\"{Shorten(duplicate)}\" appears more than once");
        }
        if (string.IsNullOrWhiteSpace(Id))
        {
            return new PaymentValidation.Invalid("could not retrieve payment id");
        }
        // A token such as 1e-40 is not zero, though decimal rounds it to 0: the rules below name its real problem.
        if (Value is null || (Value == 0m && (text?.ValueNumber is not { } sent || PaymentRequestText.DenotesZero(sent))))
        {
            return new PaymentValidation.Invalid("could not retrieve payment value");
        }
        if (string.IsNullOrEmpty(Currency))
        {
            return new PaymentValidation.Invalid("could not retrieve payment currency");
        }
        if (PaymentId.Problem(Id) is { } idProblem)
        {
            return new PaymentValidation.Invalid(idProblem);
        }
        var value = Value.Value;
        if (value < 0m)
        {
            return new PaymentValidation.Invalid("payment value must be positive");
        }
        if (text?.ValueNumber is { } number && PaymentRequestText.ValueProblem(number) is { } numberProblem)
        {
            return new PaymentValidation.Invalid(numberProblem);
        }
        if (decimal.Round(value, 2) != value)
        {
            return new PaymentValidation.Invalid("payment value must have at most 2 decimal places");
        }
        if (value > MaxValue)
        {
            return new PaymentValidation.Invalid(string.Create(CultureInfo.InvariantCulture, $"payment value must not exceed {MaxValue}"));
        }
        if (!IsIsoCurrency(Currency))
        {
            return new PaymentValidation.Invalid("payment currency must be an ISO 4217 code of 3 upper-case letters");
        }
        return new PaymentValidation.Valid(new PaymentRequestValues(Id, decimal.Round(value, 2), Currency));
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

/// <summary>A payment request checked: either the values to record or why they are refused, never both nor neither.</summary>
public abstract record PaymentValidation
{
    private PaymentValidation() { }

    public sealed record Valid(PaymentRequestValues Payment) : PaymentValidation;

    /// <param name="Error">The message the client gets, as the original service worded it where it had one.</param>
    public sealed record Invalid(string Error) : PaymentValidation;
}
