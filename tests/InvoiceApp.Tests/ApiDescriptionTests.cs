using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>
/// invoice-app's OpenAPI document: its schemas as the contract spells them. Every route and status, and the API
/// page, are checked for both services in ServiceDefaults.Tests.
/// </summary>
public sealed class ApiDescriptionTests : ServiceTests<InvoiceAppFactory>
{
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
