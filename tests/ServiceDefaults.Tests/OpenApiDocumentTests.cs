using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
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

    // The API page lists tags and paths in the document's order; the probes are mapped before the API.
    [Theory]
    [InlineData(BothServices.InvoiceApp, "/invoices", "Invoices")]
    [InlineData(BothServices.PaymentProvider, "/payments/pay", "Payments")]
    public async Task The_API_comes_first_and_the_probes_last_under_Health(string service, string firstPath, string apiTag)
    {
        using var client = services[service].CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);

        var paths = document.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToList();
        Assert.Equal(firstPath, paths[0]);
        Assert.Equal(Probes, paths[^Probes.Length..].Order(StringComparer.Ordinal));
        Assert.Equal([apiTag, OpenApiExtensions.HealthTag], document.GetProperty("tags").EnumerateArray().Select(Name));
        Assert.All(OpenApiAssert.Operations(document), operation => Assert.Equal(
            Probes.Contains(operation.Path) ? OpenApiExtensions.HealthTag : apiTag,
            Assert.Single(operation.Value.GetProperty("tags").EnumerateArray()).GetString()));
    }

    [Fact]
    public async Task The_pay_key_is_a_bearer_scheme_that_POST_invoices_pay_alone_requires()
    {
        using var client = services[BothServices.InvoiceApp].CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var scheme = Assert.Single(schemes.EnumerateObject());
        Assert.Equal("http", scheme.Value.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.Value.GetProperty("scheme").GetString());
        var secured = OpenApiAssert.Operations(document)
            .Where(operation => operation.Value.TryGetProperty("security", out _))
            .Select(operation => $"{operation.Method} {operation.Path}");
        Assert.Equal(["POST /invoices/pay"], secured);
        var pay = document.GetProperty("paths").GetProperty("/invoices/pay").GetProperty("post");
        var requirement = Assert.Single(pay.GetProperty("security").EnumerateArray());
        Assert.Equal([scheme.Name], requirement.EnumerateObject().Select(name => name.Name));
        Assert.False(document.TryGetProperty("security", out _), "a document-wide requirement would ask the key of every call");
    }

    [Fact]
    public async Task Payment_provider_declares_no_security()
    {
        using var client = services[BothServices.PaymentProvider].CreateClient();

        var document = await OpenApiAssert.DocumentAsync(client);

        Assert.False(document.GetProperty("components").TryGetProperty("securitySchemes", out _));
        Assert.DoesNotContain(OpenApiAssert.Operations(document), operation => operation.Value.TryGetProperty("security", out _));
    }

    private static readonly string[] Probes = ["/alive", "/health", "/liveness", "/readiness"];

    private static string? Name(JsonElement tag) => tag.GetProperty("name").GetString();
}
