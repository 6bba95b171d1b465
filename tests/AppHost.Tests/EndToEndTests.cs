using System.Net;
using System.Text.Json;
using TestSupport;

namespace AppHost.Tests;

/// <summary>The whole system as <c>dotnet run --project AppHost</c> starts it: both services as processes, discovery between them.</summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_apphost_pays_every_invoice_through_invoice_app_and_the_provider_records_each_once()
    {
        using var data = new TemporaryDirectory("apphost-tests");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(Cancel).WaitAsync(StartTimeout, Cancel);
        // Stores of this run's own, not the developer's local SQLite files.
        UseDatabase(appHost, "invoice-app", "ConnectionStrings__invoicesdb", data.File("invoices.db"));
        UseDatabase(appHost, "payment-provider", "ConnectionStrings__paymentsdb", data.File("payments.db"));

        await using var app = await appHost.BuildAsync(Cancel).WaitAsync(StartTimeout, Cancel);
        await app.StartAsync(Cancel).WaitAsync(StartTimeout, Cancel);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("payment-provider", Cancel).WaitAsync(StartTimeout, Cancel);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("invoice-app", Cancel).WaitAsync(StartTimeout, Cancel);

        using var invoices = app.CreateHttpClient("invoice-app");
        using var provider = app.CreateHttpClient("payment-provider");

        var unpaid = await GetJsonAsync(invoices, "/invoices?paid=false");
        Assert.Equal(["I1", "I2", "I3"], Ids(unpaid, "InvoiceId"));

        var pay = await invoices.PostAsync("/invoices/pay", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);

        var paid = await GetJsonAsync(invoices, "/invoices?paid=true");
        Assert.Equal(["I1", "I2", "I3"], Ids(paid, "InvoiceId"));
        Assert.All(paid.EnumerateArray(), invoice => Assert.True(invoice.GetProperty("IsPaid").GetBoolean()));

        var payments = await GetJsonAsync(provider, "/payments");
        Assert.Equal(["I1", "I2", "I3"], Ids(payments, "id"));
    }

    private static void UseDatabase(IDistributedApplicationTestingBuilder appHost, string resourceName, string variable, string file)
    {
        var resource = appHost.Resources.OfType<ProjectResource>().Single(project => project.Name == resourceName);
        appHost.CreateResourceBuilder(resource).WithEnvironment(variable, $"Data Source={file}");
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
    }

    /// <summary>The ids in answer order: a duplicate would show as a repeated element.</summary>
    private static string[] Ids(JsonElement items, string key) =>
        [.. items.EnumerateArray().Select(item => item.GetProperty(key).GetString()!).Order()];
}
