using System.Net;
using System.Text.Json;
using Xunit;

namespace TestSupport;

/// <summary>Reading the services' JSON answers in assertions.</summary>
public static class HttpJson
{
    /// <summary>The body of an answer, whatever its status.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

    /// <summary>The body of a <c>GET</c> that must answer <c>200</c>.</summary>
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>One string member of each item of an array, in the answer's order: a duplicate shows as a repeated value.</summary>
    public static string[] Strings(this JsonElement items, string key) =>
        [.. items.EnumerateArray().Select(item => item.GetProperty(key).GetString()!)];

    /// <summary>The invoice ids of a list of invoices or of pay entries, in the answer's order.</summary>
    public static string[] InvoiceIds(this JsonElement items) => items.Strings("InvoiceId");

    /// <summary>invoice-app's <c>PaymentState</c> of one invoice, as <c>GET /invoices</c> lists it.</summary>
    public static async Task<string?> PaymentStateAsync(this HttpClient invoiceApp, string invoiceId)
    {
        var invoices = await invoiceApp.GetJsonAsync("/invoices");
        return invoices.EnumerateArray()
            .Single(invoice => invoice.GetProperty("InvoiceId").GetString() == invoiceId)
            .GetProperty("PaymentState")
            .GetString();
    }
}
