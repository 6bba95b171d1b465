using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace ServiceDefaults.Tests;

/// <summary>Each service's OpenAPI document against the endpoints the service really maps.</summary>
public sealed class OpenApiDocumentTests(BothServices services) : IClassFixture<BothServices>
{
    [Theory]
    // invoice-app's 401 and 429 come from the key filter and the rate limiter, before the handler runs.
    [InlineData(BothServices.InvoiceApp, new[]
    {
        "GET /alive: 200 503",
        "GET /health: 200 503",
        "GET /invoices: 200 400",
        "GET /liveness: 200",
        "GET /readiness: 200 503",
        "POST /invoices/pay: 200 202 401 429 502 503",
    })]
    [InlineData(BothServices.PaymentProvider, new[]
    {
        "GET /alive: 200 503",
        "GET /health: 200 503",
        "GET /liveness: 200",
        "GET /payments/{id}: 200 400 404",
        "GET /payments: 200",
        "GET /readiness: 200 503",
        "POST /payments/pay: 200 400 409 413 415",
    })]
    public async Task The_OpenAPI_document_describes_every_route_with_each_status_and_its_body(string service, string[] expected)
    {
        var factory = services[service];
        using var client = factory.CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);
        var declared = OpenApiAssert.DescribesEveryEndpoint(document, factory.Services.GetRequiredService<EndpointDataSource>());

        Assert.Equal(expected, declared);
    }
}
