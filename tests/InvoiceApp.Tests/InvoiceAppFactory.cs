using InvoiceApp.Model;
using InvoiceApp.Payments;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PaymentProvider.Apis;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>payment-provider in memory, with a SQLite file of its own.</summary>
public sealed class PaymentProviderFactory(string databaseFile) : WebApplicationFactory<PaymentAccepted>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:paymentsdb", $"Data Source={databaseFile}");
    }
}

/// <summary>
/// invoice-app in memory, wired to the real payment-provider through <see cref="Provider"/>. Resilience timeouts
/// are shortened so that a hanging provider fails a pay call in about a second.
/// </summary>
public sealed class InvoiceAppFactory : WebApplicationFactory<Invoice>
{
    private readonly TemporaryDirectory _directory = new("invoice-app-tests");

    public InvoiceAppFactory()
    {
        ProviderApp = new PaymentProviderFactory(_directory.File("payments.db"));
        Provider = new ProviderDouble(ProviderApp.Server.CreateHandler());
        ProviderClient = ProviderApp.CreateClient();
    }

    public PaymentProviderFactory ProviderApp { get; }

    public ProviderDouble Provider { get; }

    /// <summary>invoice-app's SQLite file.</summary>
    public string InvoicesDatabaseFile => _directory.File("invoices.db");

    /// <summary>Reads the provider's own record, bypassing the double.</summary>
    public HttpClient ProviderClient { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:invoicesdb", $"Data Source={InvoicesDatabaseFile}");
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
            _directory.Dispose();
        }
    }
}
