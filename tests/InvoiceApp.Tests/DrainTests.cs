using System.Diagnostics;
using System.Net;
using InvoiceApp.Model;
using InvoiceApp.Payments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>
/// A host lifetime whose stopping signal the test raises without stopping the in-memory host (which would tear
/// the test server down at once instead of draining as Kestrel does).
/// </summary>
public sealed class StoppingSignal : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => _stopping.Token;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}

/// <summary>
/// Shutdown in process: the stopping signal (what SIGTERM raises) with payments in flight. The real SIGTERM to a
/// real process is in Faults.Tests.
/// </summary>
public sealed class DrainTests
{
    private static Action<IServiceCollection> Signal(StoppingSignal signal) => services => services.AddSingleton(provider =>
        new PaymentDrain(signal, provider.GetRequiredService<IOptions<PaymentOptions>>(), TimeProvider.System));

    [Fact]
    public async Task Stopping_refuses_new_pay_calls_with_503_and_lets_the_payments_in_flight_finish()
    {
        using var factory = new InvoiceAppFactory();
        using var signal = new StoppingSignal();
        using var app = factory.With([("Payments:DrainTimeout", "00:00:20")], Signal(signal));
        using var client = app.CreateClient();
        factory.Provider.HoldAnswer("I1");
        var paying = client.PostAsync("/invoices/pay", null, Cancel);
        await Eventually.WaitUntilAsync(() => factory.Provider.PaymentRequests("I1") == 1);

        signal.StopApplication();
        var refused = await client.PostAsync("/invoices/pay", null, Cancel);

        Assert.Equal("invoice-app is shutting down; retry the call",
            await ProblemAssert.ErrorAsync(refused, HttpStatusCode.ServiceUnavailable));
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 must say when to retry");

        factory.Provider.Release("I1");
        var answer = await paying;
        var body = await answer.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(["I1", "I2", "I3"], body.GetProperty("paid").InvoiceIds());
    }

    [Fact]
    public async Task A_payment_still_waiting_at_the_drain_deadline_is_answered_in_doubt_never_500_and_kept_in_doubt()
    {
        using var factory = new InvoiceAppFactory();
        using var signal = new StoppingSignal();
        using var app = factory.With(
        [
            ("Payments:DrainTimeout", "00:00:01"),
            // Long attempts: the drain deadline, not the resilience timeout, must be what cuts the payment off.
            ("HttpClientResilience:AttemptTimeout:Timeout", "00:00:30"),
            ("HttpClientResilience:TotalRequestTimeout:Timeout", "00:00:30"),
            ("HttpClientResilience:CircuitBreaker:SamplingDuration", "00:01:00"),
            ("Payments:ClaimLease", "00:01:00"),
        ], Signal(signal));
        using var client = app.CreateClient();
        factory.Provider.HoldAnswer("I1");
        var paying = client.PostAsync("/invoices/pay", null, Cancel);
        await Eventually.WaitUntilAsync(() => factory.Provider.PaymentRequests("I1") == 1);

        var clock = Stopwatch.StartNew();
        signal.StopApplication();
        var answer = await paying;
        var elapsed = clock.Elapsed;

        var body = await answer.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Equal(["I2", "I3"], body.GetProperty("paid").InvoiceIds());
        var inDoubt = Assert.Single(body.GetProperty("inDoubt").EnumerateArray());
        Assert.Equal("I1", inDoubt.GetProperty("InvoiceId").GetString());
        Assert.Equal(PublicReason.CutOffByShutdown, inDoubt.GetProperty("Reason").GetString());
        Assert.True(elapsed < TimeSpan.FromSeconds(8), $"the deadline is 1 s; the call took {elapsed}");
        // The provider holds it; invoice-app shows it in doubt, not unpaid, until recovery settles it.
        Assert.Equal(HttpStatusCode.OK, (await factory.ProviderClient.GetAsync("/payments/I1", Cancel)).StatusCode);
        var invoices = await client.GetJsonAsync("/invoices");
        var i1 = invoices.EnumerateArray().Single(invoice => invoice.GetProperty("InvoiceId").GetString() == "I1");
        Assert.False(i1.GetProperty("IsPaid").GetBoolean());
        Assert.Equal("inDoubt", i1.GetProperty("PaymentState").GetString());
    }

    [Fact]
    public void The_host_shutdown_timeout_is_the_drain_timeout_plus_ten_seconds()
    {
        using var factory = new InvoiceAppFactory();
        using var app = factory.With([("Payments:DrainTimeout", "00:00:07")]);

        Assert.Equal(TimeSpan.FromSeconds(17), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
