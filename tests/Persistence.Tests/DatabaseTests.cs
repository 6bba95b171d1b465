using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Persistence.Postgres;
using Persistence.Sqlite;
using InvoiceApp;
using InvoiceApp.Storage;
using DefaultsExtensions = Microsoft.Extensions.Hosting.Extensions;

namespace Persistence.Tests;

/// <summary>What the database layer adds to the stores: readiness that reads data, and the pool's size.</summary>
public sealed class DatabaseTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("deleted")]
    [InlineData("corrupt")]
    public async Task Sqlite_readiness_reads_a_real_table_so_a_deleted_or_corrupt_file_is_unhealthy(string damage)
    {
        await using var db = TestDatabase.Create(TestDatabase.Sqlite, "health");
        await using var database = db.Open();
        await new SqlInvoiceStore(database).InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
        var check = new SqliteHealthCheck((SqliteDatabase)database, SqlInvoiceStore.ReadinessQuery);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Token)).Status);
        var file = ((SqliteDatabase)database).FilePath;
        // A pooled connection of the service stays open throughout, as it would in the running service.
        await using var held = await database.OpenAsync(Token);

        if (damage == "deleted")
        {
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
        else
        {
            // Overwritten in place, write-ahead log included (it holds the newest pages).
            foreach (var path in new[] { file, file + "-wal" })
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                await stream.WriteAsync(Enumerable.Repeat((byte)0x5a, (int)stream.Length).ToArray(), Token);
            }
        }

        var result = await check.CheckHealthAsync(new HealthCheckContext(), Token);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    /// <summary>On PostgreSQL readiness is Aspire.Npgsql's health check, reading the service's table instead of <c>SELECT 1</c>.</summary>
    [Fact]
    public async Task Readiness_fails_when_the_table_is_gone_even_though_the_server_answers()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "health");
        await using var host = await ServiceHost.StartAsync(db.ConnectionString, Token);
        var database = host.Services.GetRequiredService<Database>();
        await new SqlInvoiceStore(database).InitializeAsync([], Token);
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Task<HealthReport> ReadinessAsync() => health.CheckHealthAsync(check => check.Tags.Contains(DefaultsExtensions.ReadyTag), Token);
        var ready = await ReadinessAsync();
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal([PersistenceExtensions.PostgresHealthCheck], ready.Entries.Keys);

        await database.ExecuteAsync("DROP TABLE invoices", [], Token);

        Assert.Equal(HealthStatus.Unhealthy, (await ReadinessAsync()).Status);
    }

    /// <summary>ServiceDefaults maps <c>/health</c> to checks tagged ready or live and <c>/alive</c> to live ones only.</summary>
    [Theory]
    [ClassData(typeof(Engines))]
    public async Task The_store_check_answers_health_and_readiness_and_never_alive(string engine)
    {
        await using var db = TestDatabase.Create(engine, "tags");
        await using var host = await ServiceHost.StartAsync(db.ConnectionString, Token);

        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var store = Assert.Single(registrations);
        Assert.Equal(
            engine == TestDatabase.Postgres ? PersistenceExtensions.PostgresHealthCheck : $"{ServiceHost.ConnectionName}-store",
            store.Name);
        Assert.Contains(DefaultsExtensions.ReadyTag, store.Tags);
        Assert.DoesNotContain(DefaultsExtensions.LiveTag, store.Tags);
    }

    [Fact]
    public async Task Database_MaxPoolSize_sizes_the_pool_of_the_data_source_Aspire_Npgsql_registers()
    {
        // No server is needed: the data source is configured, not connected.
        await using var host = await ServiceHost.StartAsync(
            "Host=db.invalid;Database=invoicesdb;Maximum Pool Size=100;Password=secret", Token, maxPoolSize: 7);

        var built = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);

        Assert.Equal((7, "invoicesdb"), (built.MaxPoolSize, built.Database));
        Assert.Same(host.Services.GetRequiredService<NpgsqlDataSource>(), host.Services.GetRequiredService<NpgsqlDataSource>());
    }

    [Fact]
    public void Database_MaxPoolSize_sets_the_postgresql_pool_size_over_the_connection_strings_own()
    {
        var database = Database.FromConnectionString("Host=db.invalid;Database=invoicesdb;Maximum Pool Size=100;Password=secret", ".",
            new DatabaseOptions { MaxPoolSize = 7 });

        var built = new NpgsqlConnectionStringBuilder(((PostgresDatabase)database).ConnectionString);
        Assert.Equal(7, built.MaxPoolSize);
        Assert.Equal("invoicesdb", built.Database);
        var unset = Database.FromConnectionString("Host=db.invalid;Maximum Pool Size=30", ".", new DatabaseOptions());
        Assert.Equal(30, new NpgsqlConnectionStringBuilder(((PostgresDatabase)unset).ConnectionString).MaxPoolSize);
    }

    [Fact]
    public void Postgresql_connections_keep_statements_prepared_and_skip_the_reset_unless_the_connection_string_says_otherwise()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresDatabase.Tuned("Host=db.invalid;Database=invoicesdb", maxPoolSize: null));
        Assert.Equal((PostgresDatabase.MaxAutoPrepare, true), (tuned.MaxAutoPrepare, tuned.NoResetOnClose));

        var own = new NpgsqlConnectionStringBuilder(
            PostgresDatabase.Tuned("Host=db.invalid;Max Auto Prepare=0;No Reset On Close=false", maxPoolSize: 5));
        Assert.Equal((0, false, 5), (own.MaxAutoPrepare, own.NoResetOnClose, own.MaxPoolSize));
    }

    /// <summary>Prepared on the server: after a few runs a statement shows up in the connection's pg_prepared_statements.</summary>
    [Fact]
    public async Task A_statement_run_often_is_prepared_on_the_postgresql_server()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "prepare");
        await using var database = Database.FromConnectionString(
            new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString, ".");
        var store = new SqlInvoiceStore(database);
        await store.InitializeAsync(InvoiceAppServices.DemoInvoices, Token);

        for (var run = 0; run < 10; run++)
        {
            Assert.Equal(3, (await store.ListAsync(InvoiceSelection.All, Token)).Count);
        }

        // One connection in the pool: this query runs on the one that ran the list.
        var prepared = await database.QueryAsync("SELECT statement FROM pg_prepared_statements", [], reader => reader.GetString(0), Token);
        Assert.Contains(prepared, statement =>
            statement.Contains("FROM invoices", StringComparison.Ordinal) && statement.Contains("ORDER BY id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Database_MaxPoolSize_caps_the_connections_one_process_opens_to_postgresql()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "pool");
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Timeout = 1 }.ConnectionString;
        await using (var creator = db.Open())
        {
            await creator.EnsureCreatedAsync(Token);
        }
        await using var database = Database.FromConnectionString(connectionString, ".", new DatabaseOptions { MaxPoolSize = 2 });

        await using var first = await database.OpenAsync(Token);
        await using var second = await database.OpenAsync(Token);

        // The pool is full: a third waits for the connection timeout, then fails, instead of opening one more.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => database.OpenAsync(Token));
        await first.DisposeAsync();
        await using var third = await database.OpenAsync(Token);
    }
}
