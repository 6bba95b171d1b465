using System.Net;
using System.Text.Json;
using InvoiceApp.Model;
using InvoiceApp.Payments;
using InvoiceApp.Storage;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>The real store, except that recording one invoice as paid fails once, as a lost database connection would.</summary>
public sealed class StoreFailingOnceToMarkPaid(IInvoiceStore store, string failingInvoiceId) : DelegatingInvoiceStore(store)
{
    private int _failures;

    public override Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        claim.Invoice.InvoiceId == failingInvoiceId && Interlocked.Increment(ref _failures) == 1
            ? throw new IOException("database connection lost")
            : base.MarkPaidAsync(claim, cancellationToken);
}

/// <summary>
/// The real store, except that claiming one invoice fails the way a broken database does, with the driver's own
/// message naming the file: it must reach the logs, never the client.
/// </summary>
public sealed class StoreFailingToClaim(IInvoiceStore store, string failingInvoiceId, string databaseFile) : DelegatingInvoiceStore(store)
{
    public override async Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (invoiceId != failingInvoiceId)
        {
            return await base.TryClaimAsync(invoiceId, lease, cancellationToken);
        }
        // A real driver error: SQLite refusing a file that is not a database.
        File.WriteAllText(databaseFile + ".broken", "this is not a database");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databaseFile}.broken");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM invoices";
        await command.ExecuteScalarAsync(cancellationToken);
        throw new InvalidOperationException("SQLite accepted a file that is not a database");
    }
}

public sealed class StoreFaultTests
{
    [Fact]
    public async Task Recording_a_confirmed_payment_failing_leaves_it_in_doubt_and_recovery_settles_it_as_paid_without_paying_twice()
    {
        using var factory = new InvoiceAppFactory();
        using var app = factory.With(
            [("Payments:ClaimLease", "00:00:04"), ("Payments:RecoveryInterval", "00:00:00.200")],
            services => services.AddSingleton<IInvoiceStore>(provider =>
                new StoreFailingOnceToMarkPaid(ActivatorUtilities.CreateInstance<SqlInvoiceStore>(provider), "I2")));
        using var client = app.CreateClient();

        var response = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(["I1", "I3"], body.GetProperty("paid").InvoiceIds());
        Assert.Empty(body.GetProperty("failed").EnumerateArray());
        var inDoubt = Assert.Single(body.GetProperty("inDoubt").EnumerateArray());
        Assert.Equal("I2", inDoubt.GetProperty("InvoiceId").GetString());
        Assert.Equal(PublicReason.StoreError, inDoubt.GetProperty("Reason").GetString());
        // The provider holds I2, but invoice-app could not record it: not paid yet, and shown as in doubt.
        Assert.Equal(HttpStatusCode.OK, (await factory.ProviderClient.GetAsync("/payments/I2", Cancel)).StatusCode);
        Assert.Equal("inDoubt", await client.PaymentStateAsync("I2"));

        await Eventually.WaitUntilAsync(async () => await client.PaymentStateAsync("I2") == "paid", TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, factory.Provider.PaymentRequests("I2"));
    }

    [Fact]
    public async Task The_502_names_each_failed_invoice_with_a_public_reason_and_trace_id_and_leaks_no_address_exception_or_sql()
    {
        using var factory = new InvoiceAppFactory();
        using var app = factory.With([], services => services.AddSingleton<IInvoiceStore>(provider =>
            new StoreFailingToClaim(ActivatorUtilities.CreateInstance<SqlInvoiceStore>(provider), "I1", factory.DatabaseFile)));
        using var client = app.CreateClient();
        factory.Provider.Set("I2", ProviderBehaviour.Unreachable);
        factory.Provider.Set("I3", ProviderBehaviour.Unreachable);

        var response = await client.PostAsync("/invoices/pay", null, Cancel);
        var raw = await response.Content.ReadAsStringAsync(Cancel);
        var body = JsonDocument.Parse(raw).RootElement;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var failed = body.GetProperty("failed").EnumerateArray().ToDictionary(
            failure => failure.GetProperty("InvoiceId").GetString()!, failure => failure.GetProperty("Reason").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["I1"] = PublicReason.StoreError,
            ["I2"] = PublicReason.ProviderUnavailable,
            ["I3"] = PublicReason.ProviderUnavailable,
        }, failed);
        Assert.All(body.GetProperty("failed").EnumerateArray(), failure =>
            Assert.Matches("^[0-9a-f]{32}$", failure.GetProperty("TraceId").GetString()));
        // Nothing of what went wrong inside: no address, port, exception, driver or file name.
        foreach (var secret in new[] { "127.0.0.1", "localhost", "payment-provider.test", "Connection refused", "Exception", "SQLite",
            "not a database", "invoices.db", factory.DatabaseFile, "Error 26" })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotMatch(@"[A-Za-z0-9\]]:\d{2,5}\b", raw);
    }
}
