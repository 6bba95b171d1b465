using InvoiceApp;
using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace Persistence.Tests;

/// <summary><see cref="IInvoiceStore.TryClaimManyAsync"/>, the batch claim a pay call uses, on a real SQLite file and a real PostgreSQL database.</summary>
public sealed class BatchClaimTests
{
    [Theory]
    [ClassData(typeof(Engines))]
    public async Task Overlapping_batches_claimed_at_once_from_several_instances_give_each_invoice_to_one_caller(string engine)
    {
        await using var db = TestDatabase.Create(engine, "invoices");
        var instances = Enumerable.Range(0, 4).Select(_ => db.Open()).ToList();
        try
        {
            var stores = instances.Select(database => new SqlInvoiceStore(database)).ToList();
            await stores[0].InitializeAsync([], Cancel);
            Assert.Equal(60, await stores[0].SeedUnpaidAsync("B", 60, 3.30m, "EUR", Cancel));
            var ids = Enumerable.Range(1, 60).Select(i => $"B{i}").ToList();

            // 16 callers, each with a different window of 30 ids in its own order: every id is wanted by about eight.
            var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(caller =>
            {
                var batch = Enumerable.Range(0, 30).Select(i => ids[(caller * 4 + i * 7) % ids.Count]).Distinct().ToList();
                return Task.Run(() => stores[caller % stores.Count].TryClaimManyAsync(batch, Lease, Cancel), Cancel);
            }));

            var won = claims.SelectMany(claim => claim).ToList();
            Assert.Equal(won.Count, won.Select(claim => claim.Invoice.InvoiceId).Distinct().Count());
            Assert.All(won, claim => Assert.Equal((1, 3.30m, "EUR"), (claim.Attempt, claim.Invoice.Value, claim.Invoice.Currency)));
            // Whatever no caller won, nobody asked for: every id asked for is claimed now.
            var asked = Enumerable.Range(0, 16).SelectMany(caller => Enumerable.Range(0, 30).Select(i => ids[(caller * 4 + i * 7) % ids.Count])).ToHashSet();
            Assert.Equal(asked.Order(StringComparer.Ordinal), won.Select(claim => claim.Invoice.InvoiceId).Order(StringComparer.Ordinal));
            Assert.Empty(await stores[1].TryClaimManyAsync(ids, Lease, Cancel));
        }
        finally
        {
            foreach (var database in instances)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public Task A_batch_takes_unpaid_and_expired_invoices_and_leaves_paid_held_and_unknown_ones(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            // An id that needs escaping as JSON text, which is how SQLite receives the batch.
            const string Awkward = "Q\"1,\\ ü'";
            Assert.True(await store.AddAsync(new Invoice(Awkward, 0.01m, "DKK", false), Cancel));
            await store.MarkPaidAsync((await store.TryClaimAsync("I1", Lease, Cancel))!, Cancel);
            var held = await store.TryClaimAsync("I2", Lease, Cancel);
            var expired = await store.TryClaimAsync("I3", ShortLease, Cancel);
            await store.MarkInDoubtAsync(expired!, Cancel);
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);

            var claims = await store.TryClaimManyAsync(["I1", "I2", "I3", Awkward, "nope"], Lease, Cancel);

            Assert.Equal([("I3", 66.13m, "DKK", 2), (Awkward, 0.01m, "DKK", 1)],
                claims.Select(claim => (claim.Invoice.InvoiceId, claim.Invoice.Value, claim.Invoice.Currency, claim.Attempt)).OrderBy(c => c.InvoiceId, StringComparer.Ordinal));
            Assert.Single(claims.Select(claim => claim.Token).Distinct());
            Assert.NotNull(held);
            Assert.Empty(await store.TryClaimManyAsync([], Lease, Cancel));
        });

    [Theory, ClassData(typeof(Engines))]
    public Task A_batch_claim_is_held_renewed_and_released_per_invoice_like_a_single_one(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var claims = (await store.TryClaimManyAsync(["I1", "I2", "I3"], ShortLease, Cancel)).ToDictionary(claim => claim.Invoice.InvoiceId);
            Assert.Null(await store.TryClaimAsync("I1", Lease, Cancel));
            Assert.True(await store.RenewAsync(claims["I1"], Lease, Cancel));
            await store.ReleaseAsync(claims["I2"], Cancel);
            await store.MarkPaidAsync(claims["I3"], Cancel);
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);

            // I1 was renewed and is still held; I2 was released alone; I3 is paid.
            Assert.Empty(await store.TryClaimManyAsync(["I1", "I3"], Lease, Cancel));
            var again = Assert.Single(await store.TryClaimManyAsync(["I2"], Lease, Cancel));
            Assert.Equal(2, again.Attempt);
            Assert.Equal(["I3"], (await store.ListAsync(InvoiceSelection.Paid, Cancel)).Select(invoice => invoice.InvoiceId));
        });
}
