using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>
/// The pay run of <c>POST /invoices/pay</c>: every invoice that is not paid, claimed and paid once. Invoices another
/// caller holds are reported pending, or in doubt while an earlier payment awaits settlement.
/// </summary>
public sealed class InvoicePayer(IInvoiceStore store, ClaimRun run, ClaimedPayment payment)
{
    /// <param name="cancellationToken">Stops listing the invoices; a payment once begun is bounded by the drain deadline instead.</param>
    public async Task<PayResult> PayAllUnpaidAsync(CancellationToken cancellationToken)
    {
        var unpaid = await store.ListAsync(InvoiceSelection.NotPaid, cancellationToken);
        return await run.RunAsync([.. unpaid.Select(invoice => invoice.InvoiceId)], payment.PayAsync);
    }
}
