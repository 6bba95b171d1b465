using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dashboard.Tests;

/// <summary>
/// The system with its dashboard where payment-provider already holds payment I1 with another value, so that paying
/// the invoices fails for I1 (the provider refuses it with 409) and succeeds for I2 and I3.
/// </summary>
public sealed class ConflictingPaymentSystem : PaymentSystemWithDashboard
{
    public const string ConflictingValue = "99.99";

    protected override async Task BeforePayingAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        using var provider = app.CreateHttpClient(PaymentProvider);
        using var response = await provider.PostAsJsonAsync("/payments/pay",
            new { id = "I1", value = decimal.Parse(ConflictingValue, System.Globalization.CultureInfo.InvariantCulture), currency = "EUR" },
            cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

[CollectionDefinition(Name)]
public sealed class ConflictingPaymentCollection : ICollectionFixture<ConflictingPaymentSystem>
{
    public const string Name = "payment system where the provider refuses one payment";
}
