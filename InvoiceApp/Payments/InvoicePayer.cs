using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>The pay run: another caller's invoices are pending, or in doubt while an earlier payment awaits settlement.</summary>
public sealed class InvoicePayer(IInvoiceStore store, ClaimRun run, ClaimedPayment payment)
{
    /// <param name="cancellationToken">Stops listing the invoices; a payment once begun is bounded by the drain deadline instead.</param>
    public async Task<PayResult> PayAllUnpaidAsync(CancellationToken cancellationToken)
    {
        var unpaid = await store.ListAsync(InvoiceSelection.NotPaid, cancellationToken);
        return await run.RunAsync([.. unpaid.Select(invoice => invoice.InvoiceId)], payment.PayAsync);
    }
}
