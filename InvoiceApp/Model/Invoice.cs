using System.Text.Json.Serialization;

namespace InvoiceApp.Model;

/// <summary>
/// An invoice as clients see it. The four PascalCase keys are the original service's contract and keep their
/// meaning (<c>IsPaid</c> is true only once the provider confirmed); <c>PaymentState</c> tells the not-paid apart.
/// </summary>
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

    /// <summary>
    /// A payment was sent and its outcome is unknown (the answer was lost or cut off, or recording it failed): the
    /// money may have moved. Recovery settles it by asking the provider once its claim's lease has run out.
    /// </summary>
    [JsonStringEnumMemberName("inDoubt")] InDoubt,

    /// <summary>The provider confirmed the payment.</summary>
    [JsonStringEnumMemberName("paid")] Paid,
}

/// <summary>
/// This process's exclusive right to pay one invoice until its lease ends. <see cref="Attempt"/> above 1 means an
/// earlier attempt may have reached the provider, so the provider is asked before paying again.
/// </summary>
public sealed record PaymentClaim(Invoice Invoice, Guid Token, int Attempt);

/// <summary>
/// An invoice a pay call did not pay, with a short public reason and the trace id under which the details are
/// logged. Exception messages, addresses and SQL errors never appear here.
/// </summary>
public sealed record UnpaidInvoice(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Reason")] string Reason,
    [property: JsonPropertyName("TraceId")] string? TraceId);

/// <summary>
/// The answer of <c>POST /invoices/pay</c>: <c>paid</c> by this call; <c>failed</c> (nothing was paid, a later
/// call retries); <c>inDoubt</c> (the money may have moved; recovery settles it); <c>pending</c> (another call
/// is paying it now).
/// </summary>
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
