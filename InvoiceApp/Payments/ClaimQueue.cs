using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>Claims a batch at a time, one statement per batch; a batch is as large as the payments in flight, so a
/// claim waits for one payment at most.</summary>
public sealed class ClaimQueue(IReadOnlyList<string> ids, int batchSize, TimeSpan lease, IInvoiceStore store, PaymentDrain drain,
    TimeProvider time)
    : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Queue<Next> _ready = new();
    private int _listed;

    /// <summary>The next invoice of the run, or null when none is left.</summary>
    public async Task<Next?> NextAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (_ready.Count == 0 && _listed < ids.Count)
            {
                var batch = ids.Skip(_listed).Take(batchSize).ToList();
                _listed += batch.Count;
                foreach (var next in await ClaimBatchAsync(batch))
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

    private async Task<IReadOnlyList<Next>> ClaimBatchAsync(List<string> batch)
    {
        if (drain.IsDraining)
        {
            return [.. batch.Select(id => new Next.Decided(new PaymentOutcome.Failed(id, PublicReason.ShuttingDown, PaymentCause.None)))];
        }
        IReadOnlyList<PaymentClaim> claims;
        try
        {
            claims = await store.TryClaimManyAsync(batch, lease, drain.Deadline);
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
            return [.. batch.Select(id => new Next.Decided(new PaymentOutcome.Failed(id, PublicReason.ShuttingDown,
                new PaymentCause.StoreFailed([e]))))];
        }
        var claimedAt = time.GetTimestamp();
        var byId = claims.ToDictionary(claim => claim.Invoice.InvoiceId, StringComparer.Ordinal);
        return [.. batch.Select(id => byId.TryGetValue(id, out var claim)
            ? new Next.Claimed(claim, claimedAt)
            : (Next)new Next.NotClaimed(id))];
    }

    private async Task<Next> ClaimOneAsync(string id)
    {
        try
        {
            return await store.TryClaimAsync(id, lease, drain.Deadline) is { } claim
                ? new Next.Claimed(claim, time.GetTimestamp())
                : new Next.NotClaimed(id);
        }
        catch (Exception e)
        {
            var reason = drain.Deadline.IsCancellationRequested ? PublicReason.ShuttingDown : PublicReason.StoreError;
            return new Next.Decided(new PaymentOutcome.Failed(id, reason, new PaymentCause.StoreFailed([e])));
        }
    }

    /// <summary>What a worker does next with one invoice of the run.</summary>
    public abstract record Next
    {
        private Next() { }

        /// <summary>Claimed at <paramref name="ClaimedAt"/> (a <see cref="TimeProvider"/> timestamp): to pay or settle.</summary>
        public sealed record Claimed(PaymentClaim Claim, long ClaimedAt) : Next;

        /// <summary>Not claimed: someone else holds it, or it was paid meanwhile.</summary>
        public sealed record NotClaimed(string InvoiceId) : Next;

        /// <summary>Its outcome is known without a claim (shutting down, or the batch's claim failed).</summary>
        public sealed record Decided(PaymentOutcome Outcome) : Next;
    }
}
