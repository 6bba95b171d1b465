using InvoiceApp;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Persistence.Sqlite;

namespace Persistence.Tests;

/// <summary>
/// SQLite's statements run on connections kept open with their statements compiled (<see cref="SqliteStatements"/>):
/// however many callers come at once, the number of connections stays bounded, a failed statement's connection is
/// closed rather than reused, and every answer is still right.
/// </summary>
public sealed class SqliteStatementsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Four_times_more_callers_than_connections_all_get_right_answers_on_a_bounded_number_of_connections()
    {
        await using var demo = await DemoStore.OpenAsync();
        var (database, store, file) = (demo.Database, demo.Store, demo.File);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4 * SqliteDatabase.MaxConnections).Select(caller => Task.Run(async () =>
        {
            var found = await store.FindAsync("I2", Token);
            var all = await store.ListAsync(InvoiceSelection.All, Token);
            return (found?.Value, Ids: string.Join(",", all.Select(invoice => invoice.InvoiceId)));
        }, Token)));

        Assert.All(answers, answer => Assert.Equal((10.25m, "I1,I2,I3"), (answer.Value, answer.Ids)));
        if (OperatingSystem.IsLinux())
        {
            Assert.InRange(OpenHandlesOn(file), 1, SqliteDatabase.MaxConnections);
        }
    }

    [Fact]
    public async Task A_failed_statement_closes_its_connection_and_the_next_statements_run()
    {
        await using var demo = await DemoStore.OpenAsync();
        var (database, store, file) = (demo.Database, demo.Store, demo.File);

        for (var attempt = 0; attempt < 3 * SqliteDatabase.MaxConnections; attempt++)
        {
            // NOT NULL refuses it when it runs, after the statement was compiled and bound.
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => database.ExecuteAsync(
                "INSERT INTO invoices (id, value, currency) VALUES (@id, NULL, 'EUR')", [("id", $"N{attempt}")], Token));
        }

        Assert.True(await store.AddAsync(new Invoice("I4", 1.50m, "EUR", false), Token));
        Assert.Equal(["I1", "I2", "I3", "I4"], (await store.ListAsync(InvoiceSelection.All, Token)).Select(invoice => invoice.InvoiceId));
        if (OperatingSystem.IsLinux())
        {
            // Each failure closed its connection: none is left open behind the one that served the last statements.
            Assert.Equal(1, OpenHandlesOn(file));
        }
    }

    [Fact]
    public async Task Disposing_the_database_closes_its_connections()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "counts this process's open files in /proc, which only Linux has");
        await using var db = TestDatabase.Create(TestDatabase.Sqlite, "statements");
        var database = db.Open();
        var store = new SqlInvoiceStore(database);
        await store.InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
        var file = ((SqliteDatabase)database).FilePath;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.ListAsync(InvoiceSelection.All, Token), Token)));
        Assert.InRange(OpenHandlesOn(file), 1, 8);

        await database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Assert.Equal(0, OpenHandlesOn(file));
    }

    /// <summary>A SQLite file with the three demo invoices, its database and its store; disposing removes it.</summary>
    private sealed class DemoStore : IAsyncDisposable
    {
        private readonly TestDatabase _db;

        private DemoStore(TestDatabase db, Database database)
        {
            _db = db;
            Database = database;
            Store = new SqlInvoiceStore(database);
            File = ((SqliteDatabase)database).FilePath;
        }

        public Database Database { get; }

        public SqlInvoiceStore Store { get; }

        public string File { get; }

        public static async Task<DemoStore> OpenAsync()
        {
            var db = TestDatabase.Create(TestDatabase.Sqlite, "statements");
            var demo = new DemoStore(db, db.Open());
            await demo.Store.InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
            return demo;
        }

        public async ValueTask DisposeAsync()
        {
            await Database.DisposeAsync();
            await _db.DisposeAsync();
        }
    }

    /// <summary>How many of this process's file descriptors are open on <paramref name="file"/> itself (not its -wal or -shm).</summary>
    private static int OpenHandlesOn(string file) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Count(descriptor => descriptor.LinkTarget == file);
}
