using System.Collections.Concurrent;
using System.Diagnostics;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>
/// Pays invoices exactly once. Each payment is claimed in the store before the provider is called, marked paid
/// only after the provider's 2xx, released when nothing was paid, and kept in doubt when the money may have moved
/// (the answer was lost, late or cut off, or recording it failed). A claim that expires (its holder died, or its
/// payment is in doubt) is settled by asking the provider: paid if it holds the payment, unpaid again if not.
/// </summary>
public sealed partial class InvoicePayer(
    IInvoiceStore store,
    PaymentProviderClient provider,
    PaymentDrain drain,
    IOptions<PaymentOptions> options,
    TimeProvider time,
    InvoiceMetrics metrics,
    ILogger<InvoicePayer> logger)
{
    /// <summary>How long recording an outcome may take once the provider has answered (or was cut off); within <see cref="PaymentOptions.ShutdownMargin"/>.</summary>
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pays every invoice that is not paid: unpaid ones, and expired claims (settled by asking the provider first).
    /// Invoices another caller holds are reported pending, or in doubt while their earlier payment awaits settlement.
    /// </summary>
    public Task<PayResult> PayAllUnpaidAsync(CancellationToken cancellationToken) => RunAsync(settleOnly: false, cancellationToken);

    /// <summary>
    /// Recovery: settles expired claims by asking the provider, without paying: paid when it holds the payment,
    /// unpaid again when it does not, still in doubt when it cannot be asked.
    /// </summary>
    public Task<PayResult> SettleExpiredClaimsAsync(CancellationToken cancellationToken) => RunAsync(settleOnly: true, cancellationToken);

    /// <param name="cancellationToken">Stops listing the invoices; a payment once begun is bounded by the drain deadline instead.</param>
    private async Task<PayResult> RunAsync(bool settleOnly, CancellationToken cancellationToken)
    {
        var ids = settleOnly
            ? await store.ListExpiredClaimsAsync(cancellationToken)
            : [.. (await store.ListAsync(InvoiceSelection.NotPaid, cancellationToken)).Select(invoice => invoice.InvoiceId)];
        var traceId = Activity.Current?.TraceId.ToHexString();
        var outcomes = new ConcurrentBag<Outcome>();

        // Not cancelled from outside: every invoice gets an outcome, and a payment under way is recorded.
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelPayments },
            async (id, _) => outcomes.Add(await PayOneAsync(id, settleOnly)));

        UnpaidInvoice[] List(Kind kind) =>
            [.. outcomes.Where(outcome => outcome.Kind == kind).OrderBy(outcome => outcome.InvoiceId, StringComparer.Ordinal)
                .Select(outcome => new UnpaidInvoice(outcome.InvoiceId, outcome.Reason!, traceId))];
        return new PayResult(
            [.. outcomes.Where(outcome => outcome.Kind == Kind.Paid).Select(outcome => outcome.Paid!).OrderBy(invoice => invoice.InvoiceId, StringComparer.Ordinal)],
            List(Kind.Failed), List(Kind.InDoubt), List(Kind.Pending));
    }

    private async Task<Outcome> PayOneAsync(string id, bool settleOnly)
    {
        if (drain.IsDraining)
        {
            return Outcome.Failed(id, PublicReason.ShuttingDown);
        }
        PaymentClaim? claim;
        try
        {
            claim = await store.TryClaimAsync(id, options.Value.ClaimLease, drain.Deadline);
        }
        catch (Exception e)
        {
            LogStoreError(e, id);
            return Outcome.Failed(id, drain.Deadline.IsCancellationRequested ? PublicReason.ShuttingDown : PublicReason.StoreError);
        }
        return claim is null
            ? await WhyNotClaimedAsync(id)
            : await PayClaimedAsync(claim, settleOnly);
    }

    /// <summary>Someone else holds the claim, or it was paid meanwhile (then it is not this call's to report).</summary>
    private async Task<Outcome> WhyNotClaimedAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RecordTimeout);
            return (await store.FindAsync(id, timeout.Token))?.PaymentState switch
            {
                null or PaymentState.Paid => Outcome.Settled(id),
                PaymentState.InDoubt => Outcome.InDoubt(id, PublicReason.AwaitingSettlement),
                _ => Outcome.Pending(id, PublicReason.BeingPaid),
            };
        }
        catch (Exception e)
        {
            LogStoreError(e, id);
            return Outcome.Failed(id, PublicReason.StoreError);
        }
    }

    private async Task<Outcome> PayClaimedAsync(PaymentClaim claim, bool settleOnly)
    {
        var invoice = claim.Invoice;
        using var activity = InvoiceMetrics.ActivitySource.StartActivity("pay invoice");
        activity?.SetTag("invoice.id", invoice.InvoiceId);
        activity?.SetTag("invoice.value", invoice.Value);
        activity?.SetTag("invoice.currency", invoice.Currency);
        activity?.SetTag("invoice.attempt", claim.Attempt);
        var started = time.GetTimestamp();

        var outcome = await SettleAsync(claim, settleOnly);

        var tag = outcome.Kind switch
        {
            Kind.Paid => "paid",
            Kind.InDoubt => "inDoubt",
            Kind.Pending => "pending",
            Kind.Settled => "released",
            _ => "failed",
        };
        activity?.SetTag("invoice.outcome", tag);
        // The span keeps what happened (the provider's answer, set below where it is known); clients get only the reason.
        if (outcome.Kind is Kind.Failed or Kind.InDoubt && activity?.Status != ActivityStatusCode.Error)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Reason);
        }
        if (outcome.Kind is not Kind.Settled)
        {
            metrics.PaymentFinished(invoice, tag, time.GetElapsedTime(started));
        }
        return outcome;
    }

    private async Task<Outcome> SettleAsync(PaymentClaim claim, bool settleOnly)
    {
        var id = claim.Invoice.InvoiceId;
        var moneyMayHaveMoved = claim.Attempt > 1;
        var earlierAttemptUnknown = false;
        try
        {
            if (claim.Attempt > 1)
            {
                // An earlier attempt may have reached the provider before its process or its answer was lost.
                var (known, recorded) = await LookUpAsync(id);
                earlierAttemptUnknown = !known;
                if (known && recorded is not null)
                {
                    if (recorded.Value == claim.Invoice.Value && recorded.Currency == claim.Invoice.Currency)
                    {
                        return await RecordPaidAsync(claim);
                    }
                    LogConflictingPayment(id, recorded.Value, recorded.Currency, claim.Invoice.Value, claim.Invoice.Currency);
                    await RecordAsync(token => store.ReleaseAsync(claim, token));
                    return Outcome.Failed(id, PublicReason.ProviderRefused);
                }
                if (known && (settleOnly || drain.IsDraining))
                {
                    // The provider holds nothing: unpaid again, for the next pay call.
                    await RecordAsync(token => store.ReleaseAsync(claim, token));
                    return settleOnly ? Outcome.Settled(id) : Outcome.Failed(id, PublicReason.ShuttingDown);
                }
                if (!known && (settleOnly || drain.IsDraining))
                {
                    await RecordAsync(token => store.MarkInDoubtAsync(claim, token));
                    return Outcome.InDoubt(id, PublicReason.AwaitingSettlement);
                }
                // Not knowing is no reason to stop a pay call: paying again with the same id is safe. The lookup took
                // time, so the lease is renewed first; a claim lost meanwhile belongs to its new holder.
                if (!await store.RenewAsync(claim, options.Value.ClaimLease, drain.Deadline))
                {
                    return Outcome.Pending(id, PublicReason.BeingPaid);
                }
            }

            moneyMayHaveMoved = true;
            var answer = await provider.PayAsync(claim.Invoice, drain.Deadline);
            switch (answer.Outcome)
            {
                case ProviderOutcome.Paid:
                    return await RecordPaidAsync(claim);
                case ProviderOutcome.Refused:
                case ProviderOutcome.Unavailable when !earlierAttemptUnknown:
                    // Nothing was paid (a refusal of these values would have refused an earlier attempt too).
                    Activity.Current?.SetStatus(ActivityStatusCode.Error, answer.Detail);
                    LogPaymentFailed(id, answer.Detail!);
                    await RecordAsync(token => store.ReleaseAsync(claim, token));
                    return Outcome.Failed(id, answer.Outcome == ProviderOutcome.Refused ? PublicReason.ProviderRefused : PublicReason.ProviderUnavailable);
                default:
                    // Unknown, or unavailable now after an earlier attempt whose fate the lookup could not tell.
                    Activity.Current?.SetStatus(ActivityStatusCode.Error, answer.Detail);
                    LogInDoubt(id, answer.Detail!);
                    await RecordAsync(token => store.MarkInDoubtAsync(claim, token));
                    return Outcome.InDoubt(id, drain.Deadline.IsCancellationRequested ? PublicReason.CutOffByShutdown : PublicReason.OutcomeUnknown);
            }
        }
        catch (Exception e)
        {
            // The store failed while the claim is held: it stays claimed and recovery settles it once the lease ends.
            LogStoreError(e, id);
            return moneyMayHaveMoved ? Outcome.InDoubt(id, PublicReason.StoreError) : Outcome.Failed(id, PublicReason.StoreError);
        }
    }

    /// <summary>Asks the provider; <c>known</c> is false when it could not be asked.</summary>
    private async Task<(bool Known, ProviderPayment? Recorded)> LookUpAsync(string id)
    {
        try
        {
            return (true, await provider.FindAsync(id, drain.Deadline));
        }
        catch (Exception e) when (PaymentProviderClient.IsUnreachable(e))
        {
            LogLookupFailed(id, e.Message);
            return (false, null);
        }
    }

    private async Task<Outcome> RecordPaidAsync(PaymentClaim claim)
    {
        var invoice = claim.Invoice;
        try
        {
            await RecordAsync(token => store.MarkPaidAsync(claim, token));
        }
        catch (Exception e)
        {
            // The provider holds the payment but the store does not say so: in doubt, and recovery finds it paid.
            LogStoreError(e, invoice.InvoiceId);
            try
            {
                await RecordAsync(token => store.MarkInDoubtAsync(claim, token));
            }
            catch (Exception inDoubtFailed)
            {
                LogStoreError(inDoubtFailed, invoice.InvoiceId);
            }
            return Outcome.InDoubt(invoice.InvoiceId, PublicReason.StoreError);
        }
        LogPaid(invoice.InvoiceId, invoice.Value, invoice.Currency, claim.Attempt);
        return Outcome.PaidNow(invoice.AsPaid());
    }

    /// <summary>Records an outcome: not cut off by the drain deadline, only bounded, from when the write starts.</summary>
    private static async Task RecordAsync(Func<CancellationToken, Task> write)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        await write(timeout.Token);
    }

    private enum Kind
    {
        Paid,
        Failed,
        InDoubt,
        Pending,

        /// <summary>Nothing left to do: paid by another caller, or (recovery) found unpaid at the provider and released.</summary>
        Settled,
    }

    private sealed record Outcome(string InvoiceId, Kind Kind, string? Reason, Invoice? Paid)
    {
        public static Outcome PaidNow(Invoice invoice) => new(invoice.InvoiceId, Kind.Paid, null, invoice);

        public static Outcome Failed(string id, string reason) => new(id, Kind.Failed, reason, null);

        public static Outcome InDoubt(string id, string reason) => new(id, Kind.InDoubt, reason, null);

        public static Outcome Pending(string id, string reason) => new(id, Kind.Pending, reason, null);

        public static Outcome Settled(string id) => new(id, Kind.Settled, null, null);
    }

    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceId} paid: {Value} {Currency} (attempt {Attempt})")]
    private partial void LogPaid(string invoiceId, decimal value, string currency, int attempt);

    [LoggerMessage(LogLevel.Error, "Store error while paying invoice {InvoiceId}; its claim stays until the lease ends and recovery settles it")]
    private partial void LogStoreError(Exception exception, string invoiceId);

    [LoggerMessage(LogLevel.Warning, "Invoice {InvoiceId} stays unpaid: {Detail}")]
    private partial void LogPaymentFailed(string invoiceId, string detail);

    [LoggerMessage(LogLevel.Warning, "Payment of invoice {InvoiceId} is in doubt, recovery settles it once its lease ends: {Detail}")]
    private partial void LogInDoubt(string invoiceId, string detail);

    [LoggerMessage(LogLevel.Warning, "Could not ask payment-provider about {InvoiceId}: {Reason}")]
    private partial void LogLookupFailed(string invoiceId, string reason);

    [LoggerMessage(LogLevel.Error, "payment-provider holds payment {InvoiceId} as {RecordedValue} {RecordedCurrency}, but the invoice is {Value} {Currency}")]
    private partial void LogConflictingPayment(string invoiceId, decimal recordedValue, string recordedCurrency, decimal value, string currency);
}
