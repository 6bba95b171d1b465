using System.Net;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>A pay call claims its invoices in batches of Payments:MaxParallelPayments; each invoice is still paid once.</summary>
public sealed class BatchPaymentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public async Task Many_invoices_claimed_in_batches_are_each_paid_once_and_reported_once(int parallel)
    {
        const int Seeded = 101;
        using var factory = new InvoiceAppFactory();
        using var app = factory.With([("Seed:UnpaidInvoices", $"{Seeded}"), ("Payments:MaxParallelPayments", $"{parallel}")]);
        using var client = app.CreateClient();
        // One failing (500, nothing recorded) in the middle of a batch: it stays unpaid, the others of its batch are paid.
        factory.Provider.Set("seed-50", ProviderBehaviour.Fails);

        var pay = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = await pay.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadGateway, pay.StatusCode);
        string[] Ids(string list) => body.GetProperty(list).InvoiceIds();
        var all = Enumerable.Range(1, Seeded).Select(n => $"seed-{n}").Concat(["I1", "I2", "I3"]).ToList();
        // Every invoice is reported once, whatever batch it was in; the failing one as failed.
        string[] reported = [.. Ids("paid"), .. Ids("failed"), .. Ids("inDoubt"), .. Ids("pending")];
        Assert.Equal(all.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
        Assert.Contains("seed-50", Ids("failed"));
        // No invoice reached the provider twice, and each one reported paid reached it once (the failing one never
        // reaches it: the double answers 500 in its place). A loaded machine may time out another: then it is not paid.
        Assert.All(all, id => Assert.InRange(factory.Provider.PaymentRequests(id), 0, 1));
        Assert.All(Ids("paid"), id => Assert.Equal(1, factory.Provider.PaymentRequests(id)));
        Assert.True(Ids("paid").Length >= Seeded - 1, $"{Ids("paid").Length} paid");

        var paid = (await client.GetJsonAsync("/invoices?paid=true")).InvoiceIds();
        Assert.Equal(Ids("paid").Order(StringComparer.Ordinal), paid.Order(StringComparer.Ordinal));
    }
}
