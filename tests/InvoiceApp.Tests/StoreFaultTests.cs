using System.Net;
using System.Text.Json;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace InvoiceApp.Tests;

/// <summary>The real store, except that recording one invoice as paid fails once, as a lost database connection would.</summary>
public sealed class StoreFailingOnceToMarkPaid(IInvoiceStore store, string invoiceId) : IInvoiceStore
{
    private int _failures;

    public Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken) => store.InitializeAsync(seed, cancellationToken);

    public Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken) => store.AddAsync(invoice, cancellationToken);

    public Task<IReadOnlyList<Invoice>> ListAsync(bool? paid, CancellationToken cancellationToken) => store.ListAsync(paid, cancellationToken);

    public Task<IReadOnlyList<string>> ListClaimableAsync(DateTimeOffset now, bool includeUnpaid, CancellationToken cancellationToken) =>
        store.ListClaimableAsync(now, includeUnpaid, cancellationToken);

    public Task<PaymentClaim?> TryClaimAsync(string invoiceId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        store.TryClaimAsync(invoiceId, now, leaseUntil, cancellationToken);

    public Task MarkPaidAsync(PaymentClaim claim, DateTimeOffset now, CancellationToken cancellationToken) =>
        claim.Invoice.InvoiceId == invoiceId && Interlocked.Increment(ref _failures) == 1
            ? throw new IOException("database connection lost")
            : store.MarkPaidAsync(claim, now, cancellationToken);

    public Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken) => store.ReleaseAsync(claim, cancellationToken);
}

public sealed class StoreFaultTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_fault_on_one_invoice_answers_502_for_it_pays_the_others_and_recovery_settles_it_without_paying_twice()
    {
        using var factory = new InvoiceAppFactory();
        using var app = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Payments:ClaimLease", "00:00:04");
            builder.UseSetting("Payments:RecoveryInterval", "00:00:00.200");
            builder.ConfigureTestServices(services => services.AddSingleton<IInvoiceStore>(provider =>
                new StoreFailingOnceToMarkPaid(ActivatorUtilities.CreateInstance<SqlInvoiceStore>(provider), "I2")));
        });
        using var client = app.CreateClient();

        var response = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(["I1", "I3"], body.GetProperty("paid").EnumerateArray().Select(invoice => invoice.GetProperty("InvoiceId").GetString()));
        var failure = Assert.Single(body.GetProperty("failed").EnumerateArray());
        Assert.Equal("I2", failure.GetProperty("InvoiceId").GetString());
        Assert.Contains("database connection lost", failure.GetProperty("Reason").GetString());
        // The provider holds I2, but invoice-app could not record it: it must not show as paid yet.
        Assert.Equal(HttpStatusCode.OK, (await factory.ProviderClient.GetAsync("/payments/I2", Cancel)).StatusCode);
        Assert.DoesNotContain("I2", await PaidIdsAsync(client));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!(await PaidIdsAsync(client)).Contains("I2"))
        {
            await Task.Delay(100, timeout.Token);
        }
        Assert.Equal(1, factory.Provider.PaymentRequests("I2"));
    }

    private static async Task<string[]> PaidIdsAsync(HttpClient client)
    {
        var invoices = JsonDocument.Parse(await client.GetStringAsync("/invoices?paid=true", Cancel)).RootElement;
        return [.. invoices.EnumerateArray().Select(invoice => invoice.GetProperty("InvoiceId").GetString()!)];
    }
}
