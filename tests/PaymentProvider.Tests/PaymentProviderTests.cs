using System.Text;
using System.Text.Json;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>A fresh payment-provider for each test, with the two calls most tests make.</summary>
public abstract class PaymentProviderTests : ServiceTests<PaymentProviderFactory>
{
    protected Task<HttpResponseMessage> PayAsync(string json, string contentType = "application/json") =>
        Client.PostAsync("/payments/pay", new StringContent(json, Encoding.UTF8, contentType), Cancel);

    /// <summary>Every payment the provider holds (<c>GET /payments</c>).</summary>
    protected async Task<JsonElement[]> PaymentsAsync() => [.. (await Client.GetJsonAsync("/payments")).EnumerateArray()];
}
