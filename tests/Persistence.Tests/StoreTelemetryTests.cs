using InvoiceApp;
using InvoiceApp.Storage;
using Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Persistence.Tests;

/// <summary>Each store call is a span under the caller's: SQLite's from Persistence, PostgreSQL's from Npgsql, never both.</summary>
public sealed class StoreTelemetryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<SqlInvoiceStore> InitializedStoreAsync(ServiceHost host)
    {
        var store = new SqlInvoiceStore(host.Services.GetRequiredService<Database>());
        await store.InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
        return store;
    }

    /// <summary>Runs <paramref name="storeCall"/> under a span of the test's own, whose ids it returns.</summary>
    private static async Task<(string ParentSpanId, System.Diagnostics.ActivityTraceId TraceId)> UnderRequestAsync(Func<Task> storeCall)
    {
        using var request = ServiceHost.Test.StartActivity("request");
        Assert.NotNull(request);
        await storeCall();
        return (request.SpanId.ToHexString(), request.TraceId);
    }

    [Fact]
    public async Task A_sqlite_store_call_is_a_client_span_under_the_current_one_with_the_database_conventions()
    {
        await using var db = TestDatabase.Create(TestDatabase.Sqlite, "spans");
        await using var host = await ServiceHost.StartAsync(db.ConnectionString, Token);
        var store = await InitializedStoreAsync(host);

        var (parentSpanId, _) = await UnderRequestAsync(async () => Assert.NotNull(await store.FindAsync("I1", Token)));

        var span = Assert.Single(host.Spans(), span =>
            span.ParentSpanId.ToHexString() == parentSpanId && span.Source.Name == DatabaseTelemetry.SourceName);
        Assert.Equal(System.Diagnostics.ActivityKind.Client, span.Kind);
        Assert.Equal("sqlite", span.GetTagItem("db.system.name"));
        Assert.Equal("SELECT", span.GetTagItem("db.operation.name"));
        var query = Assert.IsType<string>(span.GetTagItem("db.query.text"));
        Assert.Contains("FROM invoices", query, StringComparison.Ordinal);
        Assert.Contains("WHERE id = @id", query, StringComparison.Ordinal);
        Assert.DoesNotContain("I1", query, StringComparison.Ordinal);
        Assert.StartsWith("SELECT ", span.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_sqlite_statement_leaves_a_span_with_error_status_and_the_error_type()
    {
        await using var db = TestDatabase.Create(TestDatabase.Sqlite, "spans");
        await using var host = await ServiceHost.StartAsync(db.ConnectionString, Token);
        var store = new SqlInvoiceStore(host.Services.GetRequiredService<Database>());

        // No schema yet: the table is missing.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => store.ListAsync(InvoiceSelection.All, Token));

        // The tracer also sees other tests' SQLite statements running meanwhile: only this file's count.
        var file = Path.GetFileNameWithoutExtension(((SqliteDatabase)host.Services.GetRequiredService<Database>()).FilePath);
        var span = Assert.Single(host.Spans(), span =>
            span.Source.Name == DatabaseTelemetry.SourceName && Equals(span.GetTagItem("db.namespace"), file));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(Microsoft.Data.Sqlite.SqliteException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_postgresql_store_call_is_traced_by_npgsql_under_the_current_span_and_not_twice()
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "spans");
        await using var host = await ServiceHost.StartAsync(db.ConnectionString, Token);
        var store = await InitializedStoreAsync(host);

        var (parentSpanId, traceId) = await UnderRequestAsync(async () =>
            Assert.NotNull(await store.TryClaimAsync("I1", TimeSpan.FromMinutes(1), Token)));

        // Npgsql traces the command (and, when the pool opens one, the physical connection): all of it, none of ours.
        var children = host.Spans().Where(span => span.ParentSpanId.ToHexString() == parentSpanId).ToList();
        Assert.All(children, span => Assert.Equal("Npgsql", span.Source.Name));
        var command = Assert.Single(children, span =>
            span.TagObjects.Any(tag => tag.Value is string text && text.Contains("UPDATE invoices", StringComparison.Ordinal)));
        Assert.Equal(System.Diagnostics.ActivityKind.Client, command.Kind);
        Assert.Equal("postgresql", command.GetTagItem("db.system.name") ?? command.GetTagItem("db.system"));
        // In this trace: other tests' SQLite statements running meanwhile have spans of their own.
        Assert.DoesNotContain(host.Spans(), exported =>
            exported.TraceId == traceId && exported.Source.Name == DatabaseTelemetry.SourceName);
    }
}
