using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PaymentProvider.Apis;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>payment-provider in memory, with a SQLite file of its own.</summary>
public sealed class PaymentProviderFactory : WebApplicationFactory<PaymentAccepted>
{
    private readonly TemporaryDirectory _directory = new("payment-provider-tests");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:paymentsdb", $"Data Source={_directory.File("payments.db")}");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _directory.Dispose();
    }
}
