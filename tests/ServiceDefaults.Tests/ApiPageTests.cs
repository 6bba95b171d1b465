using TestSupport;

namespace ServiceDefaults.Tests;

/// <summary>Each service's interactive API page: served in Development (as the AppHost runs it), not in the cluster.</summary>
public sealed class ApiPageTests(BothServices services) : IClassFixture<BothServices>
{
    [Theory]
    [InlineData(BothServices.InvoiceApp)]
    [InlineData(BothServices.PaymentProvider)]
    public async Task The_API_page_is_served_in_Development_with_its_script_from_the_service_itself(string service)
    {
        using var client = services[service].CreateClientIn("Development");

        await ApiPage.AssertServedAsync(client);
    }

    [Theory]
    [InlineData(BothServices.InvoiceApp)]
    [InlineData(BothServices.PaymentProvider)]
    public async Task The_API_page_is_not_served_in_Production_but_the_document_is(string service)
    {
        using var client = services[service].CreateClient();

        await ApiPage.AssertNotServedAsync(client);
        await OpenApiAssert.DocumentAsync(client);
    }
}
