using InvoiceApp.Model;

namespace InvoiceApp.Storage;

/// <summary>
/// The invoices and where each is on its way to paid. Claims make paying exclusive across requests, threads and
/// replicas: only the holder of an invoice's claim calls the provider for it.
/// </summary>
public interface IInvoiceStore
{
    /// <summary>Creates the schema (and the demo invoices, when asked) if missing; safe for replicas starting together.</summary>
    Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken);

    /// <summary>Adds an unpaid invoice unless its id exists; true when added.</summary>
    Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken);

    Task<IReadOnlyList<Invoice>> ListAsync(bool? paid, CancellationToken cancellationToken);

    /// <summary>Invoices nobody is paying: unpaid ones, and with <paramref name="includeUnpaid"/> false only claims whose holder's lease ran out.</summary>
    Task<IReadOnlyList<string>> ListClaimableAsync(DateTimeOffset now, bool includeUnpaid, CancellationToken cancellationToken);

    /// <summary>Marks the invoice as being paid, before the provider is called. Null when it is paid or someone else holds it.</summary>
    Task<PaymentClaim?> TryClaimAsync(string invoiceId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>The provider confirmed the payment: the invoice is paid.</summary>
    Task MarkPaidAsync(PaymentClaim claim, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The payment failed: the invoice is unpaid again, to be paid (with the same id) by a later call.</summary>
    Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken);
}
