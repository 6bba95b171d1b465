using System.Globalization;
using PaymentProvider.Model;
using PaymentProvider.Storage;

namespace Persistence.Tests;

/// <summary>The contract of payment-provider's store, on a real SQLite file and a real PostgreSQL database.</summary>
public sealed class PaymentStoreTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Schema_is_created_on_start_and_starting_again_keeps_the_payments(string engine)
    {
        await using var opened = await Stores.PaymentsAsync(engine);
        var store = opened.Store;

        await store.RecordAsync(new PaymentRequestValues("P1", 12.15m, "EUR"), Cancel);
        await store.InitializeAsync(Cancel);

        Assert.Equal("P1", Assert.Single(await store.ListAsync(Cancel)).Id);
    }

    [Theory, ClassData(typeof(Engines))]
    public Task Many_instances_starting_at_once_all_succeed(string engine) =>
        Stores.OnReplicasStartedTogetherAsync(engine, "payments",
            database => new SqlPaymentStore(database, TimeProvider.System).InitializeAsync(Cancel),
            async instances => Assert.Empty(await new SqlPaymentStore(instances[^1], TimeProvider.System).ListAsync(Cancel)));

    [Theory, ClassData(typeof(Engines))]
    public Task The_same_payment_again_is_a_replay_and_another_value_or_currency_a_conflict(string engine) =>
        Stores.OnPaymentsAsync(engine, async store =>
        {
            var first = await store.RecordAsync(new PaymentRequestValues("P1", 12.10m, "EUR"), Cancel);
            var replay = await store.RecordAsync(new PaymentRequestValues("P1", 12.1m, "EUR"), Cancel);
            var otherValue = await store.RecordAsync(new PaymentRequestValues("P1", 12.11m, "EUR"), Cancel);
            var otherCurrency = await store.RecordAsync(new PaymentRequestValues("P1", 12.10m, "GBP"), Cancel);

            Assert.Equal(RecordOutcome.Recorded, first.Outcome);
            Assert.Equal(RecordOutcome.Replayed, replay.Outcome);
            Assert.Equal(RecordOutcome.Conflict, otherValue.Outcome);
            Assert.Equal(RecordOutcome.Conflict, otherCurrency.Outcome);
            var stored = Assert.Single(await store.ListAsync(Cancel));
            Assert.Equal(new PaymentRequestValues("P1", 12.10m, "EUR"), new PaymentRequestValues(stored.Id, stored.Value, stored.Currency));
            Assert.Equal(first.Payment.RecordedAt, replay.Payment.RecordedAt);
        });

    [Theory, ClassData(typeof(Engines))]
    public async Task A_replay_or_a_conflict_is_answered_without_a_write(string engine)
    {
        await using var opened = await Stores.PaymentsAsync(engine);
        var store = opened.Store;
        var first = await store.RecordAsync(new PaymentRequestValues("P1", 12.15m, "EUR"), Cancel);

        // The same database through a handle that refuses every write: a replay is a read, so it still answers.
        await using var readOnly = Database.FromConnectionString(ReadOnly(opened.Db), Path.GetTempPath());
        var readOnlyStore = new SqlPaymentStore(readOnly, TimeProvider.System);
        var replay = await readOnlyStore.RecordAsync(new PaymentRequestValues("P1", 12.150m, "EUR"), Cancel);
        var conflict = await readOnlyStore.RecordAsync(new PaymentRequestValues("P1", 12.16m, "EUR"), Cancel);

        Assert.Equal(RecordOutcome.Replayed, replay.Outcome);
        Assert.Equal(first.Payment.RecordedAt, replay.Payment.RecordedAt);
        Assert.Equal(RecordOutcome.Conflict, conflict.Outcome);
        // A new payment must write, and that handle cannot: proof that it refuses writes at all.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(
            () => readOnlyStore.RecordAsync(new PaymentRequestValues("P2", 1m, "EUR"), Cancel));
    }

    private static string ReadOnly(TestDatabase db) => db.Engine == TestDatabase.Sqlite
        ? db.ConnectionString + ";Mode=ReadOnly"
        : db.ConnectionString + ";Options=-c default_transaction_read_only=on";

    [Theory, ClassData(typeof(Engines))]
    public async Task Concurrent_payments_of_one_id_are_recorded_once(string engine)
    {
        await using var db = TestDatabase.Create(engine, "payments");
        await using var instances = db.OpenReplicas(4);
        var stores = instances.Select(database => new SqlPaymentStore(database, TimeProvider.System)).ToList();
        await stores[0].InitializeAsync(Cancel);

        for (var round = 0; round < 5; round++)
        {
            var request = new PaymentRequestValues($"P{round}", 33.33m, "DKK");
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
                Task.Run(() => stores[i % stores.Count].RecordAsync(request, Cancel), Cancel)));

            Assert.Equal(1, outcomes.Count(outcome => outcome.Outcome == RecordOutcome.Recorded));
            Assert.All(outcomes, outcome => Assert.NotEqual(RecordOutcome.Conflict, outcome.Outcome));
        }
        var payments = await stores[0].ListAsync(Cancel);
        Assert.Equal(5, payments.Count);
        Assert.Equal(5, payments.Select(payment => payment.Id).Distinct().Count());
    }

    [Theory, ClassData(typeof(Engines))]
    public Task Money_comes_back_exactly_as_recorded(string engine) => Stores.OnPaymentsAsync(engine, async store =>
    {
        await store.RecordAsync(new PaymentRequestValues("A", 12.15m, "EUR"), Cancel);
        await store.RecordAsync(new PaymentRequestValues("B", 999999999.99m, "EUR"), Cancel);
        await store.RecordAsync(new PaymentRequestValues("C", 0.01m, "EUR"), Cancel);

        Assert.Equal("12.15", (await store.FindAsync("A", Cancel))!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("999999999.99", (await store.FindAsync("B", Cancel))!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0.01m, (await store.FindAsync("C", Cancel))!.Value);
        Assert.Null(await store.FindAsync("D", Cancel));
        Assert.Equal("EUR", (await store.FindAsync("A", Cancel))!.Currency);
    });
}
