namespace PaymentProvider.Model;

/// <summary>A recorded payment. The id is the caller's (invoice-app uses the invoice id), which makes paying idempotent.</summary>
public sealed record Payment(string Id, decimal Value, string Currency, DateTimeOffset RecordedAt)
{
    /// <summary>A replay is the same payment: same id, value and currency. 12.1 and 12.10 are the same value.</summary>
    public bool IsSamePaymentAs(PaymentRequestValues request) =>
        Value == request.Value && string.Equals(Currency, request.Currency, StringComparison.Ordinal);
}

/// <summary>A payment request that passed validation.</summary>
public sealed record PaymentRequestValues(string Id, decimal Value, string Currency);

/// <summary>What recording a payment did.</summary>
public enum RecordOutcome
{
    Recorded,
    Replayed,
    Conflict,
}

public sealed record RecordResult(RecordOutcome Outcome, Payment Payment);
