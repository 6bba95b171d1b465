using System.Net;
using TestSupport;

namespace ServiceDefaults.Tests;

/// <summary>The probes Kubernetes and the original clients use, on each service, outside Development.</summary>
public sealed class ProbeTests(BothServices services) : IClassFixture<BothServices>
{
    [Theory]
    [InlineData(BothServices.InvoiceApp, "/liveness", "alive")]
    [InlineData(BothServices.InvoiceApp, "/readiness", "ready")]
    [InlineData(BothServices.InvoiceApp, "/health", "Healthy")]
    [InlineData(BothServices.InvoiceApp, "/alive", "Healthy")]
    [InlineData(BothServices.PaymentProvider, "/liveness", "alive")]
    [InlineData(BothServices.PaymentProvider, "/readiness", "ready")]
    [InlineData(BothServices.PaymentProvider, "/health", "Healthy")]
    [InlineData(BothServices.PaymentProvider, "/alive", "Healthy")]
    public async Task Probe_answers_ok(string service, string path, string expectedBody)
    {
        using var client = services[service].CreateClient();

        var response = await client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedBody, await response.Content.ReadAsStringAsync(Cancel));
    }
}
