using System.Text.Json.Serialization;

namespace InvoiceApp.Model;

/// <summary>The four PascalCase keys are the original contract (<c>IsPaid</c> only once the provider confirmed);
/// <c>PaymentState</c> tells the not-paid apart.</summary>
public sealed record Invoice(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Value")] decimal Value,
    [property: JsonPropertyName("Currency")] string Currency,
    [property: JsonPropertyName("IsPaid")] bool IsPaid)
{
    [JsonPropertyName("PaymentState")]
    public PaymentState PaymentState { get; init; } = IsPaid ? PaymentState.Paid : PaymentState.Unpaid;

    public Invoice AsPaid() => this with { IsPaid = true, PaymentState = PaymentState.Paid };
}

/// <summary>Where an invoice is on its way to paid, as <c>GET /invoices</c> shows it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentState>))]
public enum PaymentState
{
    /// <summary>Nobody is paying it; the next pay call will.</summary>
    [JsonStringEnumMemberName("unpaid")] Unpaid,

    /// <summary>A pay call (of this or another replica) is paying it right now.</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>Sent with an unknown outcome, so the money may have moved: recovery asks the provider once the lease runs out.</summary>
    [JsonStringEnumMemberName("inDoubt")] InDoubt,

    /// <summary>The provider confirmed the payment.</summary>
    [JsonStringEnumMemberName("paid")] Paid,
}

/// <summary>The exclusive right to pay one invoice until the lease ends; <see cref="Attempt"/> above 1: ask the provider first.</summary>
public sealed record PaymentClaim(Invoice Invoice, Guid Token, int Attempt);

/// <summary>A public reason and the trace id of the details: exception messages, addresses and SQL stay in the logs.</summary>
public sealed record UnpaidInvoice(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Reason")] string Reason,
    [property: JsonPropertyName("TraceId")] string? TraceId);

/// <summary>The answer of <c>POST /invoices/pay</c>.</summary>
public sealed record PayResult(
    [property: JsonPropertyName("paid")] IReadOnlyList<Invoice> Paid,
    [property: JsonPropertyName("failed")] IReadOnlyList<UnpaidInvoice> Failed,
    [property: JsonPropertyName("inDoubt")] IReadOnlyList<UnpaidInvoice> InDoubt,
    [property: JsonPropertyName("pending")] IReadOnlyList<UnpaidInvoice> Pending)
{
    /// <summary>Every invoice that was not paid at the start is paid now (the status code says it; not in the body).</summary>
    [JsonIgnore]
    public bool IsComplete => Failed.Count == 0 && InDoubt.Count == 0 && Pending.Count == 0;
}

/// <summary>The public reasons of <see cref="UnpaidInvoice"/>: the only words about a failure a client sees.</summary>
public static class PublicReason
{
    public const string ProviderUnavailable = "payment provider unavailable";
    public const string ProviderRefused = "payment provider refused the payment";
    public const string OutcomeUnknown = "payment provider did not answer; the payment may have been made and is settled by recovery";
    public const string ProviderFailedUnconfirmed =
        "payment provider failed and could not be asked whether it recorded the payment; recovery settles it";
    public const string StoreError = "store error";
    public const string AwaitingSettlement = "an earlier payment's outcome is unknown; recovery settles it";
    public const string BeingPaid = "another pay call is paying this invoice";
    public const string ShuttingDown = "not attempted: invoice-app is shutting down";
    public const string CutOffByShutdown = "invoice-app shut down before the payment provider answered; recovery settles it";
}
