using System.Text.Json.Serialization;

namespace InvoiceApp.Model;

/// <summary>An invoice as clients see it. The PascalCase keys are the original service's contract.</summary>
public sealed record Invoice(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Value")] decimal Value,
    [property: JsonPropertyName("Currency")] string Currency,
    [property: JsonPropertyName("IsPaid")] bool IsPaid);

/// <summary>Where an invoice is on its way to paid. <see cref="Paying"/> is written before the provider is called.</summary>
public enum InvoiceState
{
    Unpaid,
    Paying,
    Paid,
}

/// <summary>
/// This process's exclusive right to pay one invoice until <see cref="LeaseUntil"/>. <see cref="Attempt"/> above 1
/// means an earlier attempt may have reached the provider, so the provider is asked before paying again.
/// </summary>
public sealed record PaymentClaim(Invoice Invoice, Guid Token, int Attempt, DateTimeOffset LeaseUntil);

/// <summary>An invoice this call could not pay, and why; it stays unpaid.</summary>
public sealed record FailedInvoice(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Reason")] string Reason);

/// <summary>The answer of <c>POST /invoices/pay</c>.</summary>
public sealed record PayResult(
    [property: JsonPropertyName("paid")] IReadOnlyList<Invoice> Paid,
    [property: JsonPropertyName("failed")] IReadOnlyList<FailedInvoice> Failed);
