using System.Collections.Concurrent;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>
/// Pays invoices exactly once. Each payment is claimed in the store before the provider is called, marked paid
/// only after the provider's 2xx, and released when the call fails. A claim left behind by a crash expires and
/// is settled by asking the provider, then repaying with the same id if it holds nothing.
/// </summary>
public sealed partial class InvoicePayer(
    IInvoiceStore store,
    PaymentProviderClient provider,
    IOptions<PaymentOptions> options,
    TimeProvider time,
    InvoiceMetrics metrics,
    ILogger<InvoicePayer> logger)
{
    /// <summary>Pays every invoice that is unpaid (or whose payment was interrupted) and nobody else is paying.</summary>
    public Task<PayResult> PayAllUnpaidAsync(CancellationToken cancellationToken) =>
        PayClaimableAsync(includeUnpaid: true, cancellationToken);

    /// <summary>Settles only payments that a dead process left half done.</summary>
    public Task<PayResult> SettleInterruptedAsync(CancellationToken cancellationToken) =>
        PayClaimableAsync(includeUnpaid: false, cancellationToken);

    private async Task<PayResult> PayClaimableAsync(bool includeUnpaid, CancellationToken cancellationToken)
    {
        var ids = await store.ListClaimableAsync(time.GetUtcNow(), includeUnpaid, cancellationToken);
        var paid = new ConcurrentBag<Invoice>();
        var failed = new ConcurrentBag<FailedInvoice>();

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelPayments, CancellationToken = cancellationToken },
            async (id, token) =>
            {
                try
                {
                    var now = time.GetUtcNow();
                    if (await store.TryClaimAsync(id, now, now + options.Value.ClaimLease, token) is not { } claim)
                    {
                        return; // paid meanwhile, or another request or replica is paying it right now
                    }
                    var outcome = await PayClaimedAsync(claim, token);
                    if (outcome.IsPaid)
                    {
                        paid.Add(claim.Invoice with { IsPaid = true });
                    }
                    else
                    {
                        failed.Add(new FailedInvoice(id, outcome.Reason!));
                    }
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // One invoice's fault (its store unreachable, say) must not abort the others in flight. If the
                    // provider had confirmed, the claim stays until its lease ends and recovery settles it as paid.
                    LogPaymentIncomplete(e, id);
                    failed.Add(new FailedInvoice(id, $"invoice-app could not complete the payment: {e.Message}"));
                }
            });

        return new PayResult(
            [.. paid.OrderBy(invoice => invoice.InvoiceId, StringComparer.Ordinal)],
            [.. failed.OrderBy(failure => failure.InvoiceId, StringComparer.Ordinal)]);
    }

    private async Task<ProviderAnswer> PayClaimedAsync(PaymentClaim claim, CancellationToken cancellationToken)
    {
        var invoice = claim.Invoice;
        using var activity = InvoiceMetrics.ActivitySource.StartActivity("pay invoice");
        activity?.SetTag("invoice.id", invoice.InvoiceId);
        activity?.SetTag("invoice.value", invoice.Value);
        activity?.SetTag("invoice.currency", invoice.Currency);
        activity?.SetTag("invoice.attempt", claim.Attempt);
        var started = time.GetTimestamp();

        var answer = await SettleWithProviderAsync(claim, cancellationToken);
        if (answer.IsPaid)
        {
            await store.MarkPaidAsync(claim, time.GetUtcNow(), cancellationToken);
            LogPaid(invoice.InvoiceId, invoice.Value, invoice.Currency, claim.Attempt);
        }
        else
        {
            await store.ReleaseAsync(claim, cancellationToken);
            LogPaymentFailed(invoice.InvoiceId, answer.Reason!);
        }

        activity?.SetTag("invoice.outcome", answer.IsPaid ? "paid" : "failed");
        if (!answer.IsPaid)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, answer.Reason);
        }
        metrics.PaymentFinished(invoice, answer.IsPaid, time.GetElapsedTime(started));
        return answer;
    }

    private async Task<ProviderAnswer> SettleWithProviderAsync(PaymentClaim claim, CancellationToken cancellationToken)
    {
        var invoice = claim.Invoice;
        if (claim.Attempt > 1)
        {
            // An earlier attempt may have reached the provider before its process or its call died.
            try
            {
                if (await provider.FindAsync(invoice.InvoiceId, cancellationToken) is { } recorded)
                {
                    return recorded.Value == invoice.Value && recorded.Currency == invoice.Currency
                        ? ProviderAnswer.Paid
                        : ProviderAnswer.Failed($"payment-provider holds payment {invoice.InvoiceId} with another value or currency");
                }
            }
            catch (Exception e) when (PaymentProviderClient.IsUnreachable(e, cancellationToken))
            {
                // Not knowing is no reason to stop: repaying with the same id is safe.
                LogLookupFailed(invoice.InvoiceId, e.Message);
            }
        }
        return await provider.PayAsync(invoice, cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceId} paid: {Value} {Currency} (attempt {Attempt})")]
    private partial void LogPaid(string invoiceId, decimal value, string currency, int attempt);

    [LoggerMessage(LogLevel.Error, "Payment of invoice {InvoiceId} could not be completed; recovery settles it once its claim expires")]
    private partial void LogPaymentIncomplete(Exception exception, string invoiceId);

    [LoggerMessage(LogLevel.Warning, "Invoice {InvoiceId} stays unpaid: {Reason}")]
    private partial void LogPaymentFailed(string invoiceId, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not ask payment-provider about {InvoiceId}, paying again with the same id: {Reason}")]
    private partial void LogLookupFailed(string invoiceId, string reason);
}
