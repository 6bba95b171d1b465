using System.Net;
using System.Text.Json;
using TestSupport;

namespace AppHost.Tests;

/// <summary>The system as <c>dotnet run --project AppHost</c> starts it: both services as processes, discovery between them.</summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_apphost_pays_every_invoice_through_invoice_app_and_the_provider_records_each_once()
    {
        using var data = new TemporaryDirectory("apphost-tests");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(Cancel).WaitAsync(StartTimeout, Cancel);
        appHost.UseDatabasesIn(data.Path);

        await using var app = await appHost.StartHealthyAsync(StartTimeout, Cancel);

        using var invoices = app.CreateHttpClient(AppHostTesting.InvoiceApp);
        using var provider = app.CreateHttpClient(AppHostTesting.PaymentProvider);

        var unpaid = await invoices.GetJsonAsync("/invoices?paid=false");
        Assert.Equal(["I1", "I2", "I3"], Ids(unpaid, "InvoiceId"));

        var pay = await invoices.PostAsync("/invoices/pay", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);

        var paid = await invoices.GetJsonAsync("/invoices?paid=true");
        Assert.Equal(["I1", "I2", "I3"], Ids(paid, "InvoiceId"));
        Assert.All(paid.EnumerateArray(), invoice => Assert.True(invoice.GetProperty("IsPaid").GetBoolean()));

        var payments = await provider.GetJsonAsync("/payments");
        Assert.Equal(["I1", "I2", "I3"], Ids(payments, "id"));
    }

    /// <summary>The ids, sorted: a duplicate would show as a repeated element.</summary>
    private static string[] Ids(JsonElement items, string key) => [.. items.Strings(key).Order()];
}
