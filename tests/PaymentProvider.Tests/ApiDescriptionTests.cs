using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>
/// payment-provider's OpenAPI schemas and the problem documents its errors are. Every route and status, and the API
/// page, are checked for both services in ServiceDefaults.Tests.
/// </summary>
public sealed class ApiDescriptionTests : ServiceTests<PaymentProviderFactory>
{
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
