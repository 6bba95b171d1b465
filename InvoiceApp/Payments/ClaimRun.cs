using System.Collections.Concurrent;
using System.Diagnostics;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>One pass over invoices, shared by the pay run and recovery: claims in batches, pays or settles each in its
/// <c>pay invoice</c> span on <see cref="PaymentOptions.MaxParallelPayments"/> workers, reports each once.</summary>
public sealed class ClaimRun(
    IInvoiceStore store, ClaimedPayment payment, PaymentDrain drain, IOptions<PaymentOptions> options, TimeProvider time,
    InvoiceMetrics metrics, PaymentOutcomeLog log)
{
    // A claim younger than this goes straight on: its lease was just set. An older one waited in its batch and is
    // renewed first, so that the lease still outlasts the provider call.
    private static readonly TimeSpan FreshClaim = TimeSpan.FromSeconds(1);

    /// <summary>Not cancelled from outside: every invoice gets an outcome, and a payment under way is recorded.</summary>
    public async Task<PayResult> RunAsync(IReadOnlyList<string> ids, Func<PaymentClaim, Task<PaymentOutcome>> step)
    {
        var traceId = Activity.Current?.TraceId.ToHexString();
        var outcomes = new ConcurrentBag<PaymentOutcome>();
        var parallel = options.Value.MaxParallelPayments;
        using var claims = new ClaimQueue(ids, parallel, options.Value.ClaimLease, store, drain, time);

        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Min(parallel, Math.Max(ids.Count, 1))),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (_, _) =>
            {
                while (await claims.NextAsync() is { } next)
                {
                    outcomes.Add(await TakeAsync(next, step));
                }
            });
        return Result(outcomes, traceId);
    }

    private async Task<PaymentOutcome> TakeAsync(ClaimQueue.Next next, Func<PaymentClaim, Task<PaymentOutcome>> step)
    {
        switch (next)
        {
            case ClaimQueue.Next.Decided decided:
                return log.Logged(decided.Outcome);
            case ClaimQueue.Next.NotClaimed notClaimed:
                return log.Logged(await payment.WhyNotClaimedAsync(notClaimed.InvoiceId));
        }
        var (claim, claimedAt) = (ClaimQueue.Next.Claimed)next;
        if (drain.IsDraining)
        {
            return log.Logged(await payment.SetAsideAsync(claim));
        }
        if (time.GetElapsedTime(claimedAt) > FreshClaim)
        {
            try
            {
                // A claim lost meanwhile belongs to its new holder.
                if (!await store.RenewAsync(claim, options.Value.ClaimLease, drain.Deadline))
                {
                    return log.Logged(new PaymentOutcome.Pending(claim.Invoice.InvoiceId, PublicReason.BeingPaid));
                }
            }
            catch (Exception e)
            {
                var reason = drain.Deadline.IsCancellationRequested ? PublicReason.ShuttingDown : PublicReason.StoreError;
                return log.Logged(new PaymentOutcome.Failed(claim.Invoice.InvoiceId, reason, new PaymentCause.StoreFailed([e])));
            }
        }

        using var span = InvoiceMetrics.StartPayment(claim);
        var started = time.GetTimestamp();
        // Logged inside the span, so that the outcome's log line carries the payment's span.
        var outcome = log.Logged(await step(claim));
        metrics.PaymentFinished(span, claim.Invoice, outcome, time.GetElapsedTime(started));
        return outcome;
    }

    private static PayResult Result(IEnumerable<PaymentOutcome> outcomes, string? traceId)
    {
        var sorted = outcomes.OrderBy(outcome => outcome.InvoiceId, StringComparer.Ordinal).ToList();
        UnpaidInvoice[] Unpaid<T>(Func<T, string> reason) where T : PaymentOutcome =>
            [.. sorted.OfType<T>().Select(outcome => new UnpaidInvoice(outcome.InvoiceId, reason(outcome), traceId))];
        return new PayResult(
            [.. sorted.OfType<PaymentOutcome.Paid>().Select(paid => paid.Invoice)],
            Unpaid<PaymentOutcome.Failed>(failed => failed.Reason),
            Unpaid<PaymentOutcome.InDoubt>(inDoubt => inDoubt.Reason),
            Unpaid<PaymentOutcome.Pending>(pending => pending.Reason));
    }
}
