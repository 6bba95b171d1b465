using System.Net;

namespace PaymentProvider.Tests;

/// <summary>The probes Kubernetes and the original clients use, outside Development.</summary>
public sealed class ProbeTests : IClassFixture<PaymentProviderFactory>
{
    private readonly HttpClient _client;

    public ProbeTests(PaymentProviderFactory factory) => _client = factory.CreateClient();

    [Theory]
    [InlineData("/liveness", "alive")]
    [InlineData("/readiness", "ready")]
    [InlineData("/health", "Healthy")]
    [InlineData("/alive", "Healthy")]
    public async Task Probe_answers_ok(string path, string expectedBody)
    {
        var response = await _client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedBody, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
