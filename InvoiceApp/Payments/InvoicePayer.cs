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
    /// A claim younger than this goes straight to the provider: its lease was just set. An older one (it waited in its
    /// batch) is renewed first, as a claim is after a lookup, so that the lease still outlasts the call.
    /// </summary>
    private static readonly TimeSpan FreshClaim = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Pays every invoice that is not paid: unpaid ones, and expired claims (settled by asking the provider first).
    /// Invoices another caller holds are reported pending, or in doubt while their earlier payment awaits settlement.
    /// </summary>
    public Task<PayResult> PayAllUnpaidAsync(CancellationToken cancellationToken) => RunAsync(Purpose.Pay, cancellationToken);

    /// <summary>
    /// Recovery: settles expired claims by asking the provider, without paying: paid when it holds the payment,
    /// unpaid again when it does not, still in doubt when it cannot be asked.
    /// </summary>
    public Task<PayResult> SettleExpiredClaimsAsync(CancellationToken cancellationToken) => RunAsync(Purpose.Settle, cancellationToken);

    /// <param name="cancellationToken">Stops listing the invoices; a payment once begun is bounded by the drain deadline instead.</param>
    private async Task<PayResult> RunAsync(Purpose purpose, CancellationToken cancellationToken)
    {
        var ids = purpose == Purpose.Settle
            ? await store.ListExpiredClaimsAsync(cancellationToken)
            : [.. (await store.ListAsync(InvoiceSelection.NotPaid, cancellationToken)).Select(invoice => invoice.InvoiceId)];
        var traceId = Activity.Current?.TraceId.ToHexString();
        var outcomes = new ConcurrentBag<PaymentOutcome>();
        var parallel = options.Value.MaxParallelPayments;
        using var claims = new ClaimQueue(ids, parallel, ClaimBatchAsync);

        // Not cancelled from outside: every invoice gets an outcome, and a payment under way is recorded. Each of the
        // workers takes the next claim (the queue claims a batch whenever it runs dry) until none is left.
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Min(parallel, Math.Max(ids.Count, 1))),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (_, _) =>
            {
                while (await claims.NextAsync() is { } next)
                {
                    outcomes.Add(await PayNextAsync(next, purpose));
                }
            });

        var sorted = outcomes.OrderBy(outcome => outcome.InvoiceId, StringComparer.Ordinal).ToList();
        UnpaidInvoice[] Unpaid<T>(Func<T, string> reason) where T : PaymentOutcome =>
            [.. sorted.OfType<T>().Select(outcome => new UnpaidInvoice(outcome.InvoiceId, reason(outcome), traceId))];
        return new PayResult(
            [.. sorted.OfType<PaymentOutcome.Paid>().Select(paid => paid.Invoice)],
            Unpaid<PaymentOutcome.Failed>(failed => failed.Reason),
            Unpaid<PaymentOutcome.InDoubt>(inDoubt => inDoubt.Reason),
            Unpaid<PaymentOutcome.Pending>(pending => pending.Reason));
    }

    private async Task<PaymentOutcome> PayNextAsync(Next next, Purpose purpose)
    {
        switch (next)
        {
            case Next.Decided decided:
                return Logged(decided.Outcome);
            case Next.NotClaimed notClaimed:
                return Logged(await WhyNotClaimedAsync(notClaimed.InvoiceId));
        }
        var (claim, claimedAt) = (Next.Claimed)next;
        var id = claim.Invoice.InvoiceId;
        if (drain.IsDraining)
        {
            // Claimed in a batch but not begun. A first attempt sent nothing: unpaid again. An earlier attempt may have
            // paid it, and only the provider can say: it stays in doubt for recovery, never unpaid unasked.
            var mayHaveMoved = claim.Attempt > 1;
            try
            {
                return mayHaveMoved
                    ? await RecordAsync(token => store.MarkInDoubtAsync(claim, token),
                        new PaymentOutcome.InDoubt(id, PublicReason.AwaitingSettlement, PaymentCause.None))
                    : await RecordAsync(token => store.ReleaseAsync(claim, token),
                        new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, PaymentCause.None));
            }
            catch (Exception e)
            {
                // The claim stays; once its lease ends recovery settles it by asking the provider.
                var cause = new PaymentCause.StoreFailed([e]);
                return Logged(mayHaveMoved
                    ? new PaymentOutcome.InDoubt(id, PublicReason.AwaitingSettlement, cause)
                    : new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, cause));
            }
        }
        if (time.GetElapsedTime(claimedAt) > FreshClaim)
        {
            // It waited in the batch: the lease is renewed first, so that it outlasts the provider call; a claim lost
            // meanwhile belongs to its new holder.
            try
            {
                if (!await store.RenewAsync(claim, options.Value.ClaimLease, drain.Deadline))
                {
                    return new PaymentOutcome.Pending(id, PublicReason.BeingPaid);
                }
            }
            catch (Exception e)
            {
                return Logged(new PaymentOutcome.Failed(id, drain.Deadline.IsCancellationRequested ? PublicReason.ShuttingDown : PublicReason.StoreError,
                    new PaymentCause.StoreFailed([e])));
            }
        }
        return await PayClaimedAsync(claim, purpose);
    }

    /// <summary>Claims a batch in one statement: each id comes back claimed, not claimed, or decided without a claim.</summary>
    private async Task<IReadOnlyList<Next>> ClaimBatchAsync(IReadOnlyList<string> batch)
    {
        if (drain.IsDraining)
        {
            return [.. batch.Select(id => new Next.Decided(new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, PaymentCause.None)))];
        }
        IReadOnlyList<PaymentClaim> claims;
        try
        {
            claims = await store.TryClaimManyAsync(batch, options.Value.ClaimLease, drain.Deadline);
        }
        catch (Exception) when (!drain.Deadline.IsCancellationRequested)
        {
            // The statement claimed nothing: one by one, so that only an invoice whose own claim fails is reported as failed.
            var one = new List<Next>(batch.Count);
            foreach (var id in batch)
            {
                one.Add(await ClaimOneAsync(id));
            }
            return one;
        }
        catch (Exception e)
        {
            return [.. batch.Select(id => new Next.Decided(new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, new PaymentCause.StoreFailed([e]))))];
        }
        var claimedAt = time.GetTimestamp();
        var byId = claims.ToDictionary(claim => claim.Invoice.InvoiceId, StringComparer.Ordinal);
        return [.. batch.Select(id => byId.TryGetValue(id, out var claim) ? new Next.Claimed(claim, claimedAt) : (Next)new Next.NotClaimed(id))];
    }

    private async Task<Next> ClaimOneAsync(string id)
    {
        try
        {
            return await store.TryClaimAsync(id, options.Value.ClaimLease, drain.Deadline) is { } claim
                ? new Next.Claimed(claim, time.GetTimestamp())
                : new Next.NotClaimed(id);
        }
        catch (Exception e)
        {
            return new Next.Decided(new PaymentOutcome.Failed(id, drain.Deadline.IsCancellationRequested ? PublicReason.ShuttingDown : PublicReason.StoreError,
                new PaymentCause.StoreFailed([e])));
        }
    }

    /// <summary>
    /// The invoices of one run, claimed a batch at a time (one statement per batch instead of one per invoice) and
    /// handed out one by one. A batch is as large as the payments in flight, so a claim waits for one payment at most.
    /// </summary>
    private sealed class ClaimQueue(IReadOnlyList<string> ids, int batchSize, Func<IReadOnlyList<string>, Task<IReadOnlyList<Next>>> claimBatch)
        : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private readonly Queue<Next> _ready = new();
        private int _listed;

        public async Task<Next?> NextAsync()
        {
            await _lock.WaitAsync();
            try
            {
                if (_ready.Count == 0 && _listed < ids.Count)
                {
                    var batch = ids.Skip(_listed).Take(batchSize).ToList();
                    _listed += batch.Count;
                    foreach (var next in await claimBatch(batch))
                    {
                        _ready.Enqueue(next);
                    }
                }
                return _ready.TryDequeue(out var ready) ? ready : null;
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose() => _lock.Dispose();
    }

    /// <summary>What a worker does next with one invoice of the run.</summary>
    private abstract record Next
    {
        private Next() { }

        /// <summary>Claimed at <paramref name="ClaimedAt"/> (a <see cref="TimeProvider"/> timestamp): to pay or settle.</summary>
        public sealed record Claimed(PaymentClaim Claim, long ClaimedAt) : Next;

        /// <summary>Not claimed: someone else holds it, or it was paid meanwhile.</summary>
        public sealed record NotClaimed(string InvoiceId) : Next;

        /// <summary>Its outcome is known without a claim (shutting down, or the batch's claim failed).</summary>
        public sealed record Decided(PaymentOutcome Outcome) : Next;
    }

    /// <summary>Someone else holds the claim, or it was paid meanwhile (then it is not this call's to report).</summary>
    private async Task<PaymentOutcome> WhyNotClaimedAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RecordTimeout);
            return (await store.FindAsync(id, timeout.Token))?.PaymentState switch
            {
                null or PaymentState.Paid => new PaymentOutcome.Settled(id),
                PaymentState.InDoubt => new PaymentOutcome.InDoubt(id, PublicReason.AwaitingSettlement, PaymentCause.None),
                _ => new PaymentOutcome.Pending(id, PublicReason.BeingPaid),
            };
        }
        catch (Exception e)
        {
            return new PaymentOutcome.Failed(id, PublicReason.StoreError, new PaymentCause.StoreFailed([e]));
        }
    }

    /// <summary>Pays (or settles) under the claim inside the invoice's <c>pay invoice</c> span, and records how it ended, once.</summary>
    private async Task<PaymentOutcome> PayClaimedAsync(PaymentClaim claim, Purpose purpose)
    {
        using var activity = InvoiceMetrics.StartPayment(claim);
        var started = time.GetTimestamp();

        var outcome = await SettleAsync(claim, purpose);

        metrics.PaymentFinished(activity, claim.Invoice, outcome, time.GetElapsedTime(started));
        return Logged(outcome);
    }

    private async Task<PaymentOutcome> SettleAsync(PaymentClaim claim, Purpose purpose)
    {
        var id = claim.Invoice.InvoiceId;
        var moneyMayHaveMoved = claim.Attempt > 1;
        var earlierAttemptUnknown = false;
        try
        {
            if (claim.Attempt > 1)
            {
                // An earlier attempt may have reached the provider before its process or its answer was lost.
                var lookup = await LookUpAsync(id);
                var stopHere = purpose == Purpose.Settle || drain.IsDraining;
                switch (lookup)
                {
                    case ProviderLookup.Holds { Payment: var recorded }
                        when recorded.Value == claim.Invoice.Value && recorded.Currency == claim.Invoice.Currency:
                        return await RecordPaidAsync(claim);
                    case ProviderLookup.Holds { Payment: var recorded }:
                        return await RecordAsync(token => store.ReleaseAsync(claim, token),
                            new PaymentOutcome.Failed(id, PublicReason.ProviderRefused, new PaymentCause.ConflictingPayment(recorded, claim.Invoice)));
                    case ProviderLookup.HoldsNone when stopHere:
                        // The provider holds nothing: unpaid again, for the next pay call.
                        return await RecordAsync(token => store.ReleaseAsync(claim, token), purpose == Purpose.Settle
                            ? new PaymentOutcome.Settled(id)
                            : new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, PaymentCause.None));
                    case ProviderLookup.Unknown when stopHere:
                        return await RecordAsync(token => store.MarkInDoubtAsync(claim, token),
                            new PaymentOutcome.InDoubt(id, PublicReason.AwaitingSettlement, PaymentCause.None));
                }
                earlierAttemptUnknown = lookup is ProviderLookup.Unknown;
                // Not knowing is no reason to stop a pay call: paying again with the same id is safe. The lookup took
                // time, so the lease is renewed first; a claim lost meanwhile belongs to its new holder.
                if (!await store.RenewAsync(claim, options.Value.ClaimLease, drain.Deadline))
                {
                    return new PaymentOutcome.Pending(id, PublicReason.BeingPaid);
                }
            }

            moneyMayHaveMoved = true;
            return await provider.PayAsync(claim.Invoice, drain.Deadline) switch
            {
                ProviderAnswer.Paid => await RecordPaidAsync(claim),
                // Nothing was paid (a refusal of these values would have refused an earlier attempt too).
                ProviderAnswer.Refused refused => await RecordAsync(token => store.ReleaseAsync(claim, token),
                    new PaymentOutcome.Failed(id, PublicReason.ProviderRefused, new PaymentCause.ProviderAnswered(refused.Detail))),
                ProviderAnswer.Unavailable unavailable when !earlierAttemptUnknown => await RecordAsync(token => store.ReleaseAsync(claim, token),
                    new PaymentOutcome.Failed(id, PublicReason.ProviderUnavailable, new PaymentCause.ProviderAnswered(unavailable.Detail))),
                // Unavailable now after an earlier attempt whose fate the lookup could not tell.
                ProviderAnswer.Unavailable unavailable => await InDoubtAsync(unavailable.Detail),
                // An error answer (a 5xx) says nothing about the money: the provider may have recorded it first.
                ProviderAnswer.Unconfirmed unconfirmed => await ConfirmAsync(claim, unconfirmed.Detail),
                ProviderAnswer.Unknown unknown => await InDoubtAsync(unknown.Detail),
                var answer => throw new UnreachableException($"unknown provider answer {answer}"),
            };

            Task<PaymentOutcome> InDoubtAsync(string detail) => RecordAsync(token => store.MarkInDoubtAsync(claim, token), new PaymentOutcome.InDoubt(id,
                drain.Deadline.IsCancellationRequested ? PublicReason.CutOffByShutdown : PublicReason.OutcomeUnknown,
                new PaymentCause.ProviderAnswered(detail)));
        }
        catch (Exception e) when (e is not UnreachableException)
        {
            // The store failed while the claim is held: it stays claimed and recovery settles it once the lease ends.
            var cause = new PaymentCause.StoreFailed([e]);
            return moneyMayHaveMoved
                ? new PaymentOutcome.InDoubt(id, PublicReason.StoreError, cause)
                : new PaymentOutcome.Failed(id, PublicReason.StoreError, cause);
        }
    }

    /// <summary>
    /// After an error answer: paid when the provider holds the payment, unpaid again when it holds none, in doubt when
    /// it cannot be asked.
    /// </summary>
    private async Task<PaymentOutcome> ConfirmAsync(PaymentClaim claim, string detail)
    {
        var id = claim.Invoice.InvoiceId;
        return await LookUpAsync(id) switch
        {
            ProviderLookup.Holds { Payment: var recorded }
                when recorded.Value == claim.Invoice.Value && recorded.Currency == claim.Invoice.Currency => await RecordPaidAsync(claim),
            ProviderLookup.Holds { Payment: var recorded } => await RecordAsync(token => store.ReleaseAsync(claim, token),
                new PaymentOutcome.Failed(id, PublicReason.ProviderRefused, new PaymentCause.ConflictingPayment(recorded, claim.Invoice))),
            ProviderLookup.HoldsNone => await RecordAsync(token => store.ReleaseAsync(claim, token),
                new PaymentOutcome.Failed(id, PublicReason.ProviderUnavailable, new PaymentCause.ProviderAnswered(detail))),
            _ => await RecordAsync(token => store.MarkInDoubtAsync(claim, token),
                new PaymentOutcome.InDoubt(id, PublicReason.ProviderFailedUnconfirmed, new PaymentCause.ProviderAnswered(detail))),
        };
    }

    /// <summary>Asks the provider what it holds; a lookup that could not be made is logged here, as its only trace.</summary>
    private async Task<ProviderLookup> LookUpAsync(string id)
    {
        var lookup = await provider.LookUpAsync(id, drain.Deadline);
        if (lookup is ProviderLookup.Unknown unknown)
        {
            LogLookupFailed(id, unknown.Reason);
        }
        return lookup;
    }

    private async Task<PaymentOutcome> RecordPaidAsync(PaymentClaim claim)
    {
        var invoice = claim.Invoice;
        try
        {
            return await RecordAsync(token => store.MarkPaidAsync(claim, token), new PaymentOutcome.Paid(invoice.AsPaid(), claim.Attempt));
        }
        catch (Exception e)
        {
            // The provider holds the payment but the store does not say so: in doubt, and recovery finds it paid.
            Exception[] errors = [e];
            try
            {
                await RecordAsync(token => store.MarkInDoubtAsync(claim, token));
            }
            catch (Exception inDoubtFailed)
            {
                errors = [e, inDoubtFailed];
            }
            return new PaymentOutcome.InDoubt(invoice.InvoiceId, PublicReason.StoreError, new PaymentCause.StoreFailed(errors));
        }
    }

    /// <summary>Records an outcome: not cut off by the drain deadline, only bounded, from when the write starts.</summary>
    private static async Task RecordAsync(Func<CancellationToken, Task> write)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        await write(timeout.Token);
    }

    /// <summary>Writes the state change that <paramref name="outcome"/> needs, then returns it.</summary>
    private static async Task<PaymentOutcome> RecordAsync(Func<CancellationToken, Task> write, PaymentOutcome outcome)
    {
        await RecordAsync(write);
        return outcome;
    }

    /// <summary>The one log line (two for a double store failure) of an outcome, written inside its span when it has one.</summary>
    private PaymentOutcome Logged(PaymentOutcome outcome)
    {
        switch (outcome)
        {
            case PaymentOutcome.Paid paid:
                LogPaid(paid.InvoiceId, paid.Invoice.Value, paid.Invoice.Currency, paid.Attempt);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.ProviderAnswered answered }:
                LogPaymentFailed(outcome.InvoiceId, answered.Detail);
                break;
            case PaymentOutcome.InDoubt { Cause: PaymentCause.ProviderAnswered answered }:
                LogInDoubt(outcome.InvoiceId, answered.Detail);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.StoreFailed failed }:
                LogStoreErrors(outcome.InvoiceId, failed);
                break;
            case PaymentOutcome.InDoubt { Cause: PaymentCause.StoreFailed failed }:
                LogStoreErrors(outcome.InvoiceId, failed);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.ConflictingPayment { Recorded: var recorded, Invoice: var invoice } }:
                LogConflictingPayment(invoice.InvoiceId, recorded.Value, recorded.Currency, invoice.Value, invoice.Currency);
                break;
        }
        return outcome;
    }

    private void LogStoreErrors(string invoiceId, PaymentCause.StoreFailed failed)
    {
        foreach (var error in failed.Errors)
        {
            LogStoreError(error, invoiceId);
        }
    }

    /// <summary>Whether a run pays, or only settles what earlier payments left.</summary>
    private enum Purpose
    {
        Pay,

        /// <summary>Recovery: asks the provider about expired claims and never pays.</summary>
        Settle,
    }

    // One line per paid invoice, in the payment's trace: the audit trail an operator searches by invoice id.
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
