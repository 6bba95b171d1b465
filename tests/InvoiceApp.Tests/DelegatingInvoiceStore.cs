using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Tests;

/// <summary>The real store behind a seam: a fault-injecting store overrides only the call it breaks.</summary>
public abstract class DelegatingInvoiceStore(IInvoiceStore store) : IInvoiceStore
{
    public virtual Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken) =>
        store.InitializeAsync(seed, cancellationToken);

    public virtual Task<int> SeedUnpaidAsync(
        string idPrefix, int count, decimal value, string currency, CancellationToken cancellationToken) =>
        store.SeedUnpaidAsync(idPrefix, count, value, currency, cancellationToken);

    public virtual Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken) => store.AddAsync(invoice, cancellationToken);

    public virtual Task<IReadOnlyList<Invoice>> ListAsync(InvoiceSelection selection, CancellationToken cancellationToken) =>
        store.ListAsync(selection, cancellationToken);

    public virtual Task<Invoice?> FindAsync(string invoiceId, CancellationToken cancellationToken) =>
        store.FindAsync(invoiceId, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListExpiredClaimsAsync(CancellationToken cancellationToken) =>
        store.ListExpiredClaimsAsync(cancellationToken);

    public virtual Task<UnsettledClaims> FindUnsettledClaimsAsync(CancellationToken cancellationToken) =>
        store.FindUnsettledClaimsAsync(cancellationToken);

    public virtual Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken) =>
        store.TryClaimAsync(invoiceId, lease, cancellationToken);

    public virtual Task<bool> RenewAsync(PaymentClaim claim, TimeSpan lease, CancellationToken cancellationToken) =>
        store.RenewAsync(claim, lease, cancellationToken);

    public virtual Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        store.MarkPaidAsync(claim, cancellationToken);

    public virtual Task MarkInDoubtAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        store.MarkInDoubtAsync(claim, cancellationToken);

    public virtual Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        store.ReleaseAsync(claim, cancellationToken);
}
