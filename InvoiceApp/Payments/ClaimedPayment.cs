using System.Diagnostics;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>Paid only after the provider's 2xx or a lookup that finds the payment; unpaid again only when nothing can
/// have been paid; in doubt whenever the money may have moved and nobody can say.</summary>
public sealed class ClaimedPayment(
    IInvoiceStore store, PaymentProviderClient provider, PaymentDrain drain, IOptions<PaymentOptions> options, PaymentOutcomeLog log)
{
    // Recording an outcome once the provider has answered (or was cut off); within PaymentOptions.ShutdownMargin.
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The pay run's step: a claim with an earlier attempt asks the provider first; paying again is safe.</summary>
    public async Task<PaymentOutcome> PayAsync(PaymentClaim claim)
    {
        var id = claim.Invoice.InvoiceId;
        var moneyMayHaveMoved = claim.Attempt > 1;
        var earlierAttemptUnknown = false;
        try
        {
            if (claim.Attempt > 1)
            {
                var lookup = await LookUpAsync(id);
                if (await SettledByAsync(claim, lookup) is { } settled)
                {
                    return settled;
                }
                if (drain.IsDraining)
                {
                    return await NotHeldAsync(claim, lookup, new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, PaymentCause.None));
                }
                earlierAttemptUnknown = lookup is ProviderLookup.Unknown;
                // The lookup took time: renew, so the lease outlasts the payment; a claim lost meanwhile is its new holder's.
                if (!await store.RenewAsync(claim, options.Value.ClaimLease, drain.Deadline))
                {
                    return new PaymentOutcome.Pending(id, PublicReason.BeingPaid);
                }
            }

            moneyMayHaveMoved = true;
            return await provider.PayAsync(claim.Invoice, drain.Deadline) switch
            {
                ProviderAnswer.Paid => await RecordPaidAsync(claim),
                // A refusal of these values would have refused an earlier attempt too: nothing was paid.
                ProviderAnswer.Refused refused => await RecordAsync(token => store.ReleaseAsync(claim, token),
                    new PaymentOutcome.Failed(id, PublicReason.ProviderRefused, new PaymentCause.ProviderAnswered(refused.Detail))),
                ProviderAnswer.Unavailable unavailable when !earlierAttemptUnknown =>
                    await RecordAsync(token => store.ReleaseAsync(claim, token),
                    new PaymentOutcome.Failed(id, PublicReason.ProviderUnavailable, new PaymentCause.ProviderAnswered(unavailable.Detail))),
                ProviderAnswer.Unavailable unavailable => await InDoubtAsync(claim, unavailable.Detail),
                ProviderAnswer.Unconfirmed unconfirmed => await ConfirmAsync(claim, unconfirmed.Detail),
                ProviderAnswer.Unknown unknown => await InDoubtAsync(claim, unknown.Detail),
                var answer => throw new UnreachableException($"unknown provider answer {answer}"),
            };
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

    /// <summary>Recovery's step: never pays; paid when the provider holds the payment, unpaid again when it holds none.</summary>
    public async Task<PaymentOutcome> SettleAsync(PaymentClaim claim)
    {
        var id = claim.Invoice.InvoiceId;
        try
        {
            var lookup = await LookUpAsync(id);
            return await SettledByAsync(claim, lookup) ?? await NotHeldAsync(claim, lookup, new PaymentOutcome.Settled(id));
        }
        catch (Exception e) when (e is not UnreachableException)
        {
            return new PaymentOutcome.InDoubt(id, PublicReason.StoreError, new PaymentCause.StoreFailed([e]));
        }
    }

    /// <summary>Shutting down before paying: a first attempt sent nothing (unpaid again); an earlier one may have paid, and
    /// only the provider can say (in doubt, for recovery).</summary>
    public async Task<PaymentOutcome> SetAsideAsync(PaymentClaim claim)
    {
        var id = claim.Invoice.InvoiceId;
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
            // The claim stays; once its lease ends recovery settles it.
            var cause = new PaymentCause.StoreFailed([e]);
            return mayHaveMoved
                ? new PaymentOutcome.InDoubt(id, PublicReason.AwaitingSettlement, cause)
                : new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, cause);
        }
    }

    /// <summary>Someone else holds the claim, or it was paid meanwhile (then it is not this run's to report).</summary>
    public async Task<PaymentOutcome> WhyNotClaimedAsync(string id)
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

    /// <summary>After an error answer: paid when the provider holds the payment, unpaid when it holds none, else in doubt.</summary>
    private async Task<PaymentOutcome> ConfirmAsync(PaymentClaim claim, string detail)
    {
        var id = claim.Invoice.InvoiceId;
        var lookup = await LookUpAsync(id);
        return await SettledByAsync(claim, lookup) ?? (lookup is ProviderLookup.HoldsNone
            ? await RecordAsync(token => store.ReleaseAsync(claim, token),
                new PaymentOutcome.Failed(id, PublicReason.ProviderUnavailable, new PaymentCause.ProviderAnswered(detail)))
            : await RecordAsync(token => store.MarkInDoubtAsync(claim, token),
                new PaymentOutcome.InDoubt(id, PublicReason.ProviderFailedUnconfirmed, new PaymentCause.ProviderAnswered(detail))));
    }

    /// <summary>The provider holds a payment under the invoice's id: paid, or (other values) a conflict. Else null.</summary>
    private async Task<PaymentOutcome?> SettledByAsync(PaymentClaim claim, ProviderLookup lookup) => lookup switch
    {
        ProviderLookup.Holds { Payment: var recorded } when recorded.Value == claim.Invoice.Value
            && recorded.Currency == claim.Invoice.Currency =>
            await RecordPaidAsync(claim),
        ProviderLookup.Holds { Payment: var recorded } => await RecordAsync(token => store.ReleaseAsync(claim, token),
            new PaymentOutcome.Failed(claim.Invoice.InvoiceId, PublicReason.ProviderRefused,
                new PaymentCause.ConflictingPayment(recorded, claim.Invoice))),
        _ => null,
    };

    /// <summary>The lookup found nothing: <paramref name="whenNone"/>, unpaid again; it could not ask: in doubt.</summary>
    private Task<PaymentOutcome> NotHeldAsync(PaymentClaim claim, ProviderLookup lookup, PaymentOutcome whenNone) =>
        lookup is ProviderLookup.HoldsNone
            ? RecordAsync(token => store.ReleaseAsync(claim, token), whenNone)
            : RecordAsync(token => store.MarkInDoubtAsync(claim, token),
                new PaymentOutcome.InDoubt(claim.Invoice.InvoiceId, PublicReason.AwaitingSettlement, PaymentCause.None));

    private Task<PaymentOutcome> InDoubtAsync(PaymentClaim claim, string detail) =>
        RecordAsync(token => store.MarkInDoubtAsync(claim, token), new PaymentOutcome.InDoubt(claim.Invoice.InvoiceId,
            drain.Deadline.IsCancellationRequested ? PublicReason.CutOffByShutdown : PublicReason.OutcomeUnknown,
            new PaymentCause.ProviderAnswered(detail)));

    private async Task<ProviderLookup> LookUpAsync(string id)
    {
        var lookup = await provider.LookUpAsync(id, drain.Deadline);
        if (lookup is ProviderLookup.Unknown unknown)
        {
            log.LookupFailed(id, unknown.Reason);
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
                await WriteAsync(token => store.MarkInDoubtAsync(claim, token));
            }
            catch (Exception inDoubtFailed)
            {
                errors = [e, inDoubtFailed];
            }
            return new PaymentOutcome.InDoubt(invoice.InvoiceId, PublicReason.StoreError, new PaymentCause.StoreFailed(errors));
        }
    }

    private static async Task<PaymentOutcome> RecordAsync(Func<CancellationToken, Task> write, PaymentOutcome outcome)
    {
        await WriteAsync(write);
        return outcome;
    }

    /// <summary>A state change once the provider has answered: not cut off by the drain deadline, only bounded from its start.</summary>
    private static async Task WriteAsync(Func<CancellationToken, Task> write)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        await write(timeout.Token);
    }
}
