using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>
/// Recovery's run: claims whose lease ran out (a process died mid-payment, or the payment is in doubt) are settled by
/// asking the provider, never by paying.
/// </summary>
public sealed class ExpiredClaimSettler(IInvoiceStore store, ClaimRun run, ClaimedPayment payment)
{
    public async Task<PayResult> SettleAsync(CancellationToken cancellationToken) =>
        await run.RunAsync(await store.ListExpiredClaimsAsync(cancellationToken), payment.SettleAsync);
}
