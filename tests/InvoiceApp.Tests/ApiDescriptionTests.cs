using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>invoice-app's OpenAPI document (its API page is in ServiceDefaults.Tests, with payment-provider's).</summary>
public sealed class ApiDescriptionTests : ServiceTests<InvoiceAppFactory>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_with_each_status_and_its_body()
    {
        var document = await OpenApiAssert.DocumentAsync(Client);
        var declared = OpenApiAssert.DescribesEveryEndpoint(document, Factory.Services.GetRequiredService<EndpointDataSource>());

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
        var document = await OpenApiAssert.DocumentAsync(Client);

        Assert.Equal(["Currency", "InvoiceId", "IsPaid", "PaymentState", "Value"], OpenApiAssert.PropertyNames(document, "Invoice"));
        var pay = document.GetProperty("paths").GetProperty("/invoices/pay").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "200", "202", "502" })
        {
            var body = pay.GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.Equal("#/components/schemas/PayResult", body.GetProperty("$ref").GetString());
        }
    }
}
