using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>payment-provider's OpenAPI document and the problem documents its errors are (its API page is in ServiceDefaults.Tests).</summary>
public sealed class ApiDescriptionTests : ServiceTests<PaymentProviderFactory>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_with_each_status_and_its_body()
    {
        var document = await OpenApiAssert.DocumentAsync(Client);
        var declared = OpenApiAssert.DescribesEveryEndpoint(document, Factory.Services.GetRequiredService<EndpointDataSource>());

        Assert.Equal(
        [
            "GET /alive: 200 503",
            "GET /health: 200 503",
            "GET /liveness: 200",
            "GET /payments/{id}: 200 400 404",
            "GET /payments: 200",
            "GET /readiness: 200 503",
            "POST /payments/pay: 200 400 409 413 415",
        ], declared);
    }

    [Fact]
    public async Task The_OpenAPI_document_gives_the_pay_request_body_and_the_payment_schemas()
    {
        var document = await OpenApiAssert.DocumentAsync(Client);

        var pay = document.GetProperty("paths").GetProperty("/payments/pay").GetProperty("post");
        var request = pay.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal(["currency", "id", "value"], OpenApiAssert.PropertyNames(OpenApiAssert.Resolve(document, request)));
        Assert.True(pay.GetProperty("requestBody").GetProperty("required").GetBoolean());
        Assert.Equal(["currency", "id", "recordedAt", "value"], OpenApiAssert.PropertyNames(document, "Payment"));
        Assert.Equal(["id"], OpenApiAssert.PropertyNames(document, "PaymentAccepted"));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/plain")]
    public async Task An_error_is_a_problem_document_with_its_error_even_for_aClient_that_accepts_no_JSON(string accept)
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/pay")
        {
            Content = new StringContent("""{"id":"I1","currency":"EUR"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        var response = await client.SendAsync(request, Cancel);

        await ProblemAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "could not retrieve payment value");
    }
}
