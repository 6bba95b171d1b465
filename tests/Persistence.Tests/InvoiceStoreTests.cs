using InvoiceApp;
using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace Persistence.Tests;

/// <summary>The contract of invoice-app's store, batch claims included, on real SQLite and PostgreSQL.</summary>
public sealed class InvoiceStoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    // Long enough for a few statements on a loaded machine, short enough to wait out.
    private static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(700);

    [Theory, ClassData(typeof(Engines))]
    public async Task Schema_is_created_on_start_and_starting_again_changes_nothing(string engine)
    {
        await using var opened = await Stores.InvoicesAsync(engine, InvoiceAppServices.DemoInvoices);
        var store = opened.Store;

        var claim = await store.TryClaimAsync("I1", Lease, Cancel);
        await store.MarkPaidAsync(claim!, Cancel);
        await store.InitializeAsync(InvoiceAppServices.DemoInvoices, Cancel);

        var invoices = await store.ListAsync(InvoiceSelection.All, Cancel);
        Assert.Equal(["I1", "I2", "I3"], invoices.Select(invoice => invoice.InvoiceId));
        Assert.True(invoices[0].IsPaid, "starting again must not reset a paid invoice");
        Assert.False(await store.AddAsync(new Invoice("I2", 1m, "EUR", false), Cancel));
    }

    // Each instance has its own connection pool, as replicas would; for PostgreSQL the database does not exist yet.
    [Theory, ClassData(typeof(Engines))]
    public Task Many_instances_starting_at_once_create_one_schema_and_seed_once(string engine) =>
        Stores.OnReplicasStartedTogetherAsync(engine, "invoices",
            database => new SqlInvoiceStore(database).InitializeAsync(InvoiceAppServices.DemoInvoices, Cancel),
            async instances => Assert.Equal(InvoiceAppServices.DemoInvoices,
                await new SqlInvoiceStore(instances[0]).ListAsync(InvoiceSelection.All, Cancel)));

    [Theory, ClassData(typeof(Engines))]
    public async Task Many_parallel_claims_of_one_invoice_have_exactly_one_winner(string engine)
    {
        await using var db = TestDatabase.Create(engine, "invoices");
        await using var instances = db.OpenReplicas(4);
        var stores = instances.Select(database => new SqlInvoiceStore(database)).ToList();
        await stores[0].InitializeAsync([], Cancel);
        var ids = Enumerable.Range(1, 10).Select(i => $"C{i}").ToList();
        foreach (var id in ids)
        {
            await stores[0].AddAsync(new Invoice(id, 5.55m, "EUR", false), Cancel);
        }

        foreach (var id in ids)
        {
            var claims = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
                Task.Run(() => stores[i % stores.Count].TryClaimAsync(id, Lease, Cancel), Cancel)));
            var winners = claims.Where(claim => claim is not null).ToList();
            Assert.Single(winners);
            Assert.Equal(1, winners[0]!.Attempt);
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public Task An_expired_lease_lets_another_take_over_and_only_then(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var first = await store.TryClaimAsync("I1", ShortLease, Cancel);
            Assert.NotNull(first);
            Assert.Null(await store.TryClaimAsync("I1", Lease, Cancel));
            Assert.DoesNotContain("I1", await store.ListExpiredClaimsAsync(Cancel));

            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            Assert.Equal(["I1"], await store.ListExpiredClaimsAsync(Cancel));
            var second = await store.TryClaimAsync("I1", Lease, Cancel);

            Assert.NotNull(second);
            Assert.NotEqual(first.Token, second.Token);
            Assert.Equal(2, second.Attempt);
        });

    [Theory, ClassData(typeof(Engines))]
    public Task Release_takes_effect_only_with_the_current_holders_token(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var expired = await store.TryClaimAsync("I1", ShortLease, Cancel);
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            var current = await store.TryClaimAsync("I1", Lease, Cancel);

            // The first holder comes back after its lease ran out: its release must not free the new holder's claim.
            await store.ReleaseAsync(expired!, Cancel);
            await store.ReleaseAsync(current! with { Token = Guid.NewGuid() }, Cancel);
            Assert.Null(await store.TryClaimAsync("I1", Lease, Cancel));

            await store.ReleaseAsync(current!, Cancel);
            var again = await store.TryClaimAsync("I1", Lease, Cancel);
            Assert.NotNull(again);
            Assert.Equal(3, again.Attempt);
        });

    [Theory, ClassData(typeof(Engines))]
    public Task A_renewal_extends_the_lease_and_fails_once_the_claim_was_taken_over(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var holder = await store.TryClaimAsync("I1", ShortLease, Cancel);
            Assert.True(await store.RenewAsync(holder!, Lease, Cancel));
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            Assert.Null(await store.TryClaimAsync("I1", Lease, Cancel));

            Assert.True(await store.RenewAsync(holder!, ShortLease, Cancel));
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            var successor = await store.TryClaimAsync("I1", Lease, Cancel);
            Assert.NotNull(successor);
            Assert.False(await store.RenewAsync(holder!, Lease, Cancel));
        });

    [Theory, ClassData(typeof(Engines))]
    public Task A_payment_in_doubt_is_listed_in_doubt_stays_claimed_until_its_lease_ends_and_only_its_holder_can_put_it_there(
        string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var claim = await store.TryClaimAsync("I1", ShortLease, Cancel);
            Assert.Equal(PaymentState.Pending, (await store.FindAsync("I1", Cancel))!.PaymentState);
            await store.MarkInDoubtAsync(claim! with { Token = Guid.NewGuid() }, Cancel);
            Assert.Equal(PaymentState.Pending, (await store.FindAsync("I1", Cancel))!.PaymentState);
            await store.MarkInDoubtAsync(claim!, Cancel);

            var shown = (await store.ListAsync(InvoiceSelection.NotPaid, Cancel)).Single(invoice => invoice.InvoiceId == "I1");
            Assert.Equal(new Invoice("I1", 12.15m, "EUR", false) { PaymentState = PaymentState.InDoubt }, shown);
            Assert.Null(await store.TryClaimAsync("I1", Lease, Cancel));
            Assert.DoesNotContain("I1", await store.ListExpiredClaimsAsync(Cancel));

            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            Assert.Equal(["I1"], await store.ListExpiredClaimsAsync(Cancel));
            var settler = await store.TryClaimAsync("I1", Lease, Cancel);
            Assert.Equal(2, settler!.Attempt);
            await store.MarkPaidAsync(settler, Cancel);
            Assert.Equal(PaymentState.Paid, (await store.FindAsync("I1", Cancel))!.PaymentState);
        });

    [Theory, ClassData(typeof(Engines))]
    public Task A_claim_whose_holder_died_shows_in_doubt_once_its_lease_ends(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            await store.TryClaimAsync("I2", ShortLease, Cancel);
            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);

            Assert.Equal(PaymentState.InDoubt, (await store.FindAsync("I2", Cancel))!.PaymentState);
        });

    /// <summary>
    /// Replicas read leases off the database server's clock: one whose own clock runs an hour ahead (as a node
    /// with a broken NTP would) still cannot take over a live claim.
    /// </summary>
    [Fact]
    public async Task On_postgresql_a_replica_with_a_clock_an_hour_ahead_cannot_take_over_a_live_claim()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "invoices");
        await using var first = db.Open();
        await using var second = Database.FromConnectionString(db.ConnectionString, Path.GetTempPath(),
            clock: new ShiftedClock(TimeSpan.FromHours(1)));
        var holder = new SqlInvoiceStore(first);
        var skewed = new SqlInvoiceStore(second);
        await holder.InitializeAsync(InvoiceAppServices.DemoInvoices, Cancel);

        Assert.NotNull(await holder.TryClaimAsync("I1", Lease, Cancel));

        Assert.Null(await skewed.TryClaimAsync("I1", Lease, Cancel));
        Assert.Empty(await skewed.ListExpiredClaimsAsync(Cancel));
        Assert.Equal(PaymentState.Pending, (await skewed.FindAsync("I1", Cancel))!.PaymentState);
    }

    [Theory, ClassData(typeof(Engines))]
    public Task A_paid_invoice_is_never_claimed_again(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var claim = await store.TryClaimAsync("I2", ShortLease, Cancel);
            await store.MarkPaidAsync(claim!, Cancel);
            await store.ReleaseAsync(claim!, Cancel);
            await store.MarkInDoubtAsync(claim!, Cancel);

            await Task.Delay(ShortLease + TimeSpan.FromMilliseconds(100), Cancel);
            Assert.Null(await store.TryClaimAsync("I2", Lease, Cancel));
            Assert.DoesNotContain("I2", await store.ListExpiredClaimsAsync(Cancel));
            Assert.Equal(new Invoice("I2", 10.25m, "GBP", true), (await store.ListAsync(InvoiceSelection.Paid, Cancel)).Single());
        });

    [Theory, ClassData(typeof(Engines))]
    public Task List_filters_by_paid(string engine) => Stores.OnDemoInvoicesAsync(engine, async store =>
    {
        var paying = await store.TryClaimAsync("I1", Lease, Cancel);
        await store.MarkPaidAsync((await store.TryClaimAsync("I3", Lease, Cancel))!, Cancel);

        Assert.Equal(["I3"], (await store.ListAsync(InvoiceSelection.Paid, Cancel)).Select(invoice => invoice.InvoiceId));
        // An invoice being paid is not paid yet.
        Assert.Equal(["I1", "I2"], (await store.ListAsync(InvoiceSelection.NotPaid, Cancel)).Select(invoice => invoice.InvoiceId));
        Assert.Equal(3, (await store.ListAsync(InvoiceSelection.All, Cancel)).Count);
        Assert.NotNull(paying);
    });

    [Theory, ClassData(typeof(Engines))]
    public async Task Money_comes_back_exactly_as_stored(string engine)
    {
        await using var opened = await Stores.InvoicesAsync(engine, []);
        var store = opened.Store;
        decimal[] values = [12.15m, 999999999.99m, 0.01m, 0.10m, 66.13m];
        for (var i = 0; i < values.Length; i++)
        {
            await store.AddAsync(new Invoice($"M{i}", values[i], "EUR", false), Cancel);
        }

        var stored = await store.ListAsync(InvoiceSelection.All, Cancel);

        Assert.Equal(values, stored.Select(invoice => invoice.Value));
        Assert.Equal("12.15", stored[0].Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("999999999.99", stored[1].Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var claim = await store.TryClaimAsync("M0", Lease, Cancel);
        Assert.Equal(12.15m, claim!.Invoice.Value);
    }

    [Theory, ClassData(typeof(Engines))]
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
            var asked = Enumerable.Range(0, 16)
                .SelectMany(caller => Enumerable.Range(0, 30).Select(i => ids[(caller * 4 + i * 7) % ids.Count]))
                .ToHashSet();
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
                claims.Select(claim => (claim.Invoice.InvoiceId, claim.Invoice.Value, claim.Invoice.Currency, claim.Attempt))
                    .OrderBy(c => c.InvoiceId, StringComparer.Ordinal));
            Assert.Single(claims.Select(claim => claim.Token).Distinct());
            Assert.NotNull(held);
            Assert.Empty(await store.TryClaimManyAsync([], Lease, Cancel));
        });

    [Theory, ClassData(typeof(Engines))]
    public Task A_batch_claim_is_held_renewed_and_released_per_invoice_like_a_single_one(string engine) =>
        Stores.OnDemoInvoicesAsync(engine, async store =>
        {
            var claims = (await store.TryClaimManyAsync(["I1", "I2", "I3"], ShortLease, Cancel))
                .ToDictionary(claim => claim.Invoice.InvoiceId);
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
