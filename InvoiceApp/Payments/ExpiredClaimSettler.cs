using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>Recovery's run: expired claims are settled by asking the provider, never by paying.</summary>
public sealed class ExpiredClaimSettler(IInvoiceStore store, ClaimRun run, ClaimedPayment payment)
{
    public async Task<PayResult> SettleAsync(CancellationToken cancellationToken) =>
        await run.RunAsync(await store.ListExpiredClaimsAsync(cancellationToken), payment.SettleAsync);
}
