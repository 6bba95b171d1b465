using System.Diagnostics;
using System.Net;
using InvoiceApp.Payments;
using InvoiceApp.Storage;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace InvoiceApp.Tests;

public sealed class LeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Re-claiming an interrupted payment means a lookup and then a payment, each up to the whole request timeout:
    /// longer together than the lease. The holder renews the lease before paying, so a second caller that comes
    /// after the first lease would have run out finds the invoice pending and does not pay alongside.
    /// </summary>
    [Fact]
    public async Task A_holder_renews_its_lease_before_paying_so_a_slow_lookup_does_not_let_a_second_caller_pay_alongside()
    {
        using var factory = new InvoiceAppFactory();
        using var app = factory.With(
            [
                ("HttpClientResilience:AttemptTimeout:Timeout", "00:00:03.500"),
                ("HttpClientResilience:TotalRequestTimeout:Timeout", "00:00:03.500"),
                ("HttpClientResilience:CircuitBreaker:SamplingDuration", "00:00:10"),
                ("Payments:ClaimLease", Lease.ToString()),
            ],
            // Recovery would settle the expired claim below on its own; here the pay calls alone must be seen.
            services => services.Remove(services.Single(service => service.ImplementationType == typeof(PaymentRecoveryService))));
        using var client = app.CreateClient();
        // A payment of I1 interrupted earlier: its claim has expired, so the next holder asks the provider first.
        var store = app.Services.GetRequiredService<IInvoiceStore>();
        Assert.NotNull(await store.TryClaimAsync("I1", TimeSpan.FromMilliseconds(1), Cancel));
        await Task.Delay(50, Cancel);
        factory.Provider.HoldLookup("I1");
        factory.Provider.HoldAnswer("I1");

        var first = client.PostAsync("/invoices/pay", null, Cancel);
        await Eventually.WaitUntilAsync(() => factory.Provider.Lookups("I1") == 1);
        var claimed = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancel);
        factory.Provider.ReleaseLookup("I1");
        await Eventually.WaitUntilAsync(() => factory.Provider.PaymentRequests("I1") == 1);
        // Past the lease taken with the claim, within the one renewed before the payment.
        await Task.Delay(Lease + TimeSpan.FromSeconds(0.4) - claimed.Elapsed, Cancel);

        var second = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = await second.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("I1", Assert.Single(body.GetProperty("pending").EnumerateArray()).GetProperty("InvoiceId").GetString());
        Assert.Equal(1, factory.Provider.Lookups("I1"));
        factory.Provider.Release("I1");
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(1, factory.Provider.PaymentRequests("I1"));
    }
}
