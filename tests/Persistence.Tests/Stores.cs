using InvoiceApp;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using PaymentProvider.Storage;

namespace Persistence.Tests;

/// <summary>The opening every store test shares: a database of its own, the store on it, its schema.</summary>
public static class Stores
{
    public static async Task<OpenedStore<SqlInvoiceStore>> InvoicesAsync(string engine, IEnumerable<Invoice> seed,
        string purpose = "invoices")
    {
        var db = TestDatabase.Create(engine, purpose);
        var database = db.Open();
        var store = new SqlInvoiceStore(database);
        await store.InitializeAsync(seed, Cancel);
        return new(db, database, store);
    }

    public static async Task<OpenedStore<SqlPaymentStore>> PaymentsAsync(string engine)
    {
        var db = TestDatabase.Create(engine, "payments");
        var database = db.Open();
        var store = new SqlPaymentStore(database, TimeProvider.System);
        await store.InitializeAsync(Cancel);
        return new(db, database, store);
    }

    /// <summary>Runs <paramref name="test"/> on invoice-app's store holding the three demo invoices.</summary>
    public static async Task OnDemoInvoicesAsync(string engine, Func<SqlInvoiceStore, Task> test)
    {
        await using var opened = await InvoicesAsync(engine, InvoiceAppServices.DemoInvoices);
        await test(opened.Store);
    }

    public static async Task OnPaymentsAsync(string engine, Func<SqlPaymentStore, Task> test)
    {
        await using var opened = await PaymentsAsync(engine);
        await test(opened.Store);
    }

    /// <summary>A fresh database opened by eight replicas at once, each starting its store.</summary>
    public static async Task OnReplicasStartedTogetherAsync(string engine, string purpose, Func<Database, Task> start,
        Func<Replicas, Task> test)
    {
        await using var db = TestDatabase.Create(engine, purpose);
        await using var instances = db.OpenReplicas(8);
        await Task.WhenAll(instances.Select(database => Task.Run(() => start(database), Cancel)));
        await test(instances);
    }
}
