using System.Diagnostics;
using InvoiceApp.Model;

namespace InvoiceApp.Payments;

/// <summary>One answer of <c>POST /invoices/pay</c> for one invoice and one <c>invoice.outcome</c>; the unpaid ones carry
/// a public reason and, for the span and logs only, the <see cref="PaymentCause"/>.</summary>
public abstract record PaymentOutcome
{
    private PaymentOutcome(string invoiceId) => InvoiceId = invoiceId;

    public string InvoiceId { get; }

    /// <summary>The <c>invoice.outcome</c> tag, on the <c>pay invoice</c> span and the duration histogram.</summary>
    public string Name => this switch
    {
        Paid => "paid",
        Failed => "failed",
        InDoubt => "inDoubt",
        Pending => "pending",
        Settled => "released",
        _ => throw new UnreachableException($"unknown payment outcome {GetType().Name}"),
    };

    /// <summary>The span's error: the provider's own answer where it gave one, else the public reason; null when no error.</summary>
    public string? Error => this switch
    {
        Failed failed => Describe(failed.Cause, failed.Reason),
        InDoubt inDoubt => Describe(inDoubt.Cause, inDoubt.Reason),
        _ => null,
    };

    private static string Describe(PaymentCause cause, string reason) =>
        cause is PaymentCause.ProviderAnswered answered ? answered.Detail : reason;

    /// <summary>Paid now, by this call: the provider holds the payment and the store says so.</summary>
    public sealed record Paid(Invoice Invoice, int Attempt) : PaymentOutcome(Invoice.InvoiceId);

    /// <summary>Nothing was paid; the invoice is unpaid again (or was never claimed) and a later call retries.</summary>
    public sealed record Failed(string InvoiceId, string Reason, PaymentCause Cause) : PaymentOutcome(InvoiceId);

    /// <summary>The money may have moved: the claim stays in doubt until recovery asks the provider.</summary>
    public sealed record InDoubt(string InvoiceId, string Reason, PaymentCause Cause) : PaymentOutcome(InvoiceId);

    /// <summary>Another call (of this or another replica) is paying it right now.</summary>
    public sealed record Pending(string InvoiceId, string Reason) : PaymentOutcome(InvoiceId);

    /// <summary>Nothing left to do: paid by another caller, or (recovery) found unpaid at the provider and released.</summary>
    public sealed record Settled(string InvoiceId) : PaymentOutcome(InvoiceId);
}

/// <summary>What happened behind a public reason: for the span and the logs, never for clients.</summary>
public abstract record PaymentCause
{
    private PaymentCause() { }

    /// <summary>The reason says all there is (shutting down, an earlier payment awaiting settlement).</summary>
    public static readonly PaymentCause None = new Stated();

    /// <summary>See <see cref="None"/>.</summary>
    public sealed record Stated : PaymentCause;

    /// <summary>The provider refused, failed or did not answer; <paramref name="Detail"/> is its answer or the error.</summary>
    public sealed record ProviderAnswered(string Detail) : PaymentCause;

    /// <summary>The store failed, once or (recording the outcome, then marking it in doubt) twice.</summary>
    public sealed record StoreFailed(IReadOnlyList<Exception> Errors) : PaymentCause;

    /// <summary>The provider holds a payment with this invoice's id but another value or currency.</summary>
    public sealed record ConflictingPayment(ProviderPayment Recorded, Invoice Invoice) : PaymentCause;
}
