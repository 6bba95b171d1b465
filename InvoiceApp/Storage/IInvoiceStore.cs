using InvoiceApp.Model;

namespace InvoiceApp.Storage;

/// <summary>
/// The invoices and where each is on its way to paid. Claims make paying exclusive across requests, threads and
/// replicas: only the holder of an invoice's claim calls the provider for it. Lease times come from the
/// database's clock (PostgreSQL's <c>now()</c>), so replicas whose clocks differ still agree on who holds what.
/// </summary>
public interface IInvoiceStore
{
    /// <summary>Creates the schema (and the demo invoices, when asked) if missing; safe for replicas starting together.</summary>
    Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="count"/> unpaid invoices, <paramref name="idPrefix"/>1 to <paramref name="idPrefix"/>N, in
    /// one statement, skipping ids that exist; returns how many it added. For benchmarks (<see cref="SeedOptions"/>).
    /// </summary>
    Task<int> SeedUnpaidAsync(string idPrefix, int count, decimal value, string currency, CancellationToken cancellationToken);

    /// <summary>Adds an unpaid invoice unless its id exists; true when added.</summary>
    Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken);

    /// <summary>The invoices <paramref name="selection"/> names, ordered by id.</summary>
    Task<IReadOnlyList<Invoice>> ListAsync(InvoiceSelection selection, CancellationToken cancellationToken);

    /// <summary>One invoice as <see cref="ListAsync"/> shows it, or null.</summary>
    Task<Invoice?> FindAsync(string invoiceId, CancellationToken cancellationToken);

    /// <summary>Claims whose lease ran out: payments a dead process left behind, and payments in doubt, ready to settle.</summary>
    Task<IReadOnlyList<string>> ListExpiredClaimsAsync(CancellationToken cancellationToken);

    /// <summary>How many expired claims wait to be settled, and how long past its lease the oldest is, by the database's clock.</summary>
    Task<UnsettledClaims> FindUnsettledClaimsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims the invoice for <paramref name="lease"/> before the provider is called: one that is unpaid, or whose
    /// claim (paying or in doubt) has expired. Null when it is paid or someone else holds it.
    /// </summary>
    Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TryClaimAsync"/> for many invoices at once, in one statement: the claims it got, in no particular
    /// order; an id it did not get (paid, held by someone else, or unknown) is left out. Of concurrent callers, in any
    /// number of processes, one at most gets each invoice. This default claims one by one, for stores without a batch.
    /// </summary>
    async Task<IReadOnlyList<PaymentClaim>> TryClaimManyAsync(IReadOnlyList<string> invoiceIds, TimeSpan lease, CancellationToken cancellationToken)
    {
        var claims = new List<PaymentClaim>(invoiceIds.Count);
        foreach (var id in invoiceIds)
        {
            if (await TryClaimAsync(id, lease, cancellationToken) is { } claim)
            {
                claims.Add(claim);
            }
        }
        return claims;
    }

    /// <summary>Extends the claim to <paramref name="lease"/> from now; false when it was lost (taken over or settled).</summary>
    Task<bool> RenewAsync(PaymentClaim claim, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The provider confirmed the payment: the invoice is paid.</summary>
    Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// The payment's outcome is unknown: the claim stays, in doubt, until its lease ends; then recovery asks the
    /// provider. Only with the holder's token.
    /// </summary>
    Task MarkInDoubtAsync(PaymentClaim claim, CancellationToken cancellationToken);

    /// <summary>Nothing was paid: the invoice is unpaid again, to be paid (with the same id) by a later call. Only with the holder's token.</summary>
    Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken);
}

/// <summary>Which invoices <see cref="IInvoiceStore.ListAsync"/> lists.</summary>
public enum InvoiceSelection
{
    All,

    /// <summary>Paid: the provider confirmed.</summary>
    Paid,

    /// <summary>Everything not paid yet: unpaid, being paid and in doubt.</summary>
    NotPaid,
}
