using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>invoice-app's OpenAPI document and its API page.</summary>
public sealed class ApiDescriptionTests : IDisposable
{
    private readonly InvoiceAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_with_each_status_and_its_body()
    {
        using var client = _factory.CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);
        var declared = OpenApiAssert.DescribesEveryEndpoint(document, _factory.Services.GetRequiredService<EndpointDataSource>());

        // 401 and 429 come from the key filter and the rate limiter, before the handler runs.
        Assert.Equal(
        [
            "GET /alive: 200 503",
            "GET /health: 200 503",
            "GET /invoices: 200 400",
            "GET /liveness: 200",
            "GET /readiness: 200 503",
            "POST /invoices/pay: 200 202 401 429 502 503",
        ], declared);
    }

    [Fact]
    public async Task The_OpenAPI_document_gives_the_invoice_keys_as_the_contract_spells_them_and_the_pay_answer_on_502()
    {
        using var client = _factory.CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);

        Assert.Equal(["Currency", "InvoiceId", "IsPaid", "PaymentState", "Value"], OpenApiAssert.PropertyNames(document, "Invoice"));
        var pay = document.GetProperty("paths").GetProperty("/invoices/pay").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "200", "202", "502" })
        {
            var body = pay.GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.Equal("#/components/schemas/PayResult", body.GetProperty("$ref").GetString());
        }
    }

    [Fact]
    public async Task The_API_page_is_served_in_Development_with_its_script_from_the_service_itself()
    {
        using var development = _factory.WithWebHostBuilder(builder => builder.UseEnvironment("Development"));
        using var client = development.CreateClient();

        await ApiPage.AssertServedAsync(client);
    }

    [Fact]
    public async Task The_API_page_is_not_served_in_Production_but_the_document_is()
    {
        using var client = _factory.CreateClient();

        await ApiPage.AssertNotServedAsync(client);
        await OpenApiAssert.DocumentAsync(client);
    }
}
