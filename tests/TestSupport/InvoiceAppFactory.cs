extern alias InvoiceAppService;

using InvoiceAppService::InvoiceApp.Payments;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace TestSupport;

/// <summary>
/// invoice-app in memory, wired to the real payment-provider (in memory too) through <see cref="Provider"/>.
/// Resilience timeouts are shortened so that a hanging provider fails a pay call in about a second.
/// </summary>
public sealed class InvoiceAppFactory : ServiceFactory<InvoiceAppService::Program>
{
    public InvoiceAppFactory()
        : base("invoicesdb", "invoices.db")
    {
        Provider = new ProviderDouble(ProviderApp.Server.CreateHandler());
        ProviderClient = ProviderApp.CreateClient();
    }

    public PaymentProviderFactory ProviderApp { get; } = new();

    public ProviderDouble Provider { get; }

    /// <summary>Reads the provider's own record, bypassing the double.</summary>
    public HttpClient ProviderClient { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The address service discovery resolves; the double below answers for it.
        builder.UseSetting("services:payment-provider:http:0", "http://payment-provider.test");
        // Short enough that a held answer times out within the test, long enough that a first call on a busy
        // machine (JIT, a cold SQLite file) is not taken for a lost answer and left in doubt.
        builder.UseSetting("HttpClientResilience:AttemptTimeout:Timeout", "00:00:01");
        builder.UseSetting("HttpClientResilience:TotalRequestTimeout:Timeout", "00:00:03");
        builder.UseSetting("HttpClientResilience:Retry:MaxRetryAttempts", "2");
        builder.UseSetting("HttpClientResilience:Retry:Delay", "00:00:00.050");
        builder.UseSetting("HttpClientResilience:CircuitBreaker:SamplingDuration", "00:00:02");
        builder.UseSetting("Payments:ClaimLease", "00:00:10");
        // Production needs the pay key; the tests that are about the key set one (PayApiProtectionTests).
        builder.UseSetting("PayApi:AllowAnonymous", "true");
        builder.ConfigureTestServices(services =>
            services.AddHttpClient<PaymentProviderClient>().ConfigurePrimaryHttpMessageHandler(() => Provider));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            ProviderClient.Dispose();
            ProviderApp.Dispose();
        }
    }
}
