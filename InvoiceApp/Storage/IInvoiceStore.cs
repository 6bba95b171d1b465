using InvoiceApp.Model;

namespace InvoiceApp.Storage;

/// <summary>Only an invoice's claim holder calls the provider; leases run on the database's clock, which all replicas share.</summary>
public interface IInvoiceStore
{
    /// <summary>Creates the schema and the seed invoices if missing; safe for replicas starting together.</summary>
    Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken);

    /// <summary>Adds ids <paramref name="idPrefix"/>1 to N in one statement, skipping ids that exist; returns how many it added.</summary>
    Task<int> SeedUnpaidAsync(string idPrefix, int count, decimal value, string currency, CancellationToken cancellationToken);

    /// <summary>Adds an unpaid invoice unless its id exists; true when added.</summary>
    Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken);

    /// <summary>Ordered by id.</summary>
    Task<IReadOnlyList<Invoice>> ListAsync(InvoiceSelection selection, CancellationToken cancellationToken);

    Task<Invoice?> FindAsync(string invoiceId, CancellationToken cancellationToken);

    /// <summary>Claims whose lease ran out: payments a dead process left behind, and payments in doubt, ready to settle.</summary>
    Task<IReadOnlyList<string>> ListExpiredClaimsAsync(CancellationToken cancellationToken);

    /// <summary>Expired claims not yet settled; the oldest's overdue time is by the database's clock.</summary>
    Task<UnsettledClaims> FindUnsettledClaimsAsync(CancellationToken cancellationToken);

    /// <summary>Claims an unpaid invoice, or one whose claim expired, before the provider is called; null when paid or held.</summary>
    Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Of concurrent callers in any process, one at most gets each invoice; claims in no order. Default: one by one.</summary>
    async Task<IReadOnlyList<PaymentClaim>> TryClaimManyAsync(
        IReadOnlyList<string> invoiceIds, TimeSpan lease, CancellationToken cancellationToken)
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

    Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken);

    /// <summary>Outcome unknown: in doubt until the lease ends, then recovery asks the provider; only with the holder's token.</summary>
    Task MarkInDoubtAsync(PaymentClaim claim, CancellationToken cancellationToken);

    /// <summary>Nothing was paid: unpaid again, for a later call to pay with the same id; only with the holder's token.</summary>
    Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken);
}

public enum InvoiceSelection
{
    All,
    Paid,

    /// <summary>Unpaid, being paid and in doubt.</summary>
    NotPaid,
}
