using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using InvoiceApp;
using InvoiceApp.Storage;

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
        var check = new DatabaseHealthCheck(database, "invoices");
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

    [Fact]
    public async Task Readiness_fails_when_the_table_is_gone_even_though_the_server_answers()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "health");
        await using var database = db.Open();
        await new SqlInvoiceStore(database).InitializeAsync([], Token);
        var check = new DatabaseHealthCheck(database, "invoices");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Token)).Status);

        await using (var connection = await database.OpenAsync(Token))
        await using (var drop = connection.CreateCommand("DROP TABLE invoices"))
        {
            await drop.ExecuteNonQueryAsync(Token);
        }

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext(), Token)).Status);
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
