using System.Net;
using System.Text.Json;
using InvoiceApp.Payments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>
/// An invoice whose money may have moved is never called unpaid until the provider says it holds nothing: not on
/// shutdown, and not after an answer (a 5xx) that does not prove the payment was refused.
/// </summary>
public sealed class MoneyMayHaveMovedTests
{
    private static readonly string[] Seeded = [.. Enumerable.Range(1, 6).Select(n => $"seed-{n}")];

    private static (string, string)[] SixSeeded(int parallel) =>
    [
        ("Payments:SeedDemoInvoices", "false"),
        ("Seed:UnpaidInvoices", "6"),
        ("Payments:MaxParallelPayments", $"{parallel}"),
        ("Payments:DrainTimeout", "00:00:20"),
    ];

    private static Action<IServiceCollection> Manually(TimeProvider clock, StoppingSignal? signal = null) => services =>
    {
        // Recovery runs when the test says, not on its own timer.
        services.Remove(services.Single(service => service.ImplementationType == typeof(PaymentRecoveryService)));
        services.AddSingleton(clock);
        if (signal is not null)
        {
            services.AddSingleton(provider =>
                new PaymentDrain(signal, provider.GetRequiredService<IOptions<PaymentOptions>>(), TimeProvider.System));
        }
    };

    private static async Task<Dictionary<string, string>> StatesAsync(HttpClient client) =>
        (await client.GetJsonAsync("/invoices")).EnumerateArray().ToDictionary(
            invoice => invoice.GetProperty("InvoiceId").GetString()!, invoice => invoice.GetProperty("PaymentState").GetString()!);

    [Fact]
    public async Task A_shutdown_during_recovery_never_releases_a_claim_whose_earlier_attempt_may_have_paid_it()
    {
        var clock = new ShiftedClock();
        using var factory = new InvoiceAppFactory();
        using var signal = new StoppingSignal();
        using var app = factory.With(SixSeeded(parallel: 2), Manually(clock, signal));
        using var client = app.CreateClient();
        // Six payments the provider recorded while every answer was lost: all six in doubt.
        foreach (var id in Seeded)
        {
            factory.Provider.Set(id, ProviderBehaviour.AnswerLost);
        }
        var lost = await client.PostAsync("/invoices/pay", null, Cancel);
        Assert.Equal(Seeded, (await lost.ReadJsonAsync()).GetProperty("inDoubt").InvoiceIds());
        foreach (var id in Seeded)
        {
            factory.Provider.Set(id, ProviderBehaviour.Healthy);
        }
        clock.Advance(TimeSpan.FromMinutes(5));

        // Recovery takes them two at a time. Two slow lookups (seed-2, seed-3) hold both workers while seed-4 waits,
        // claimed, in the second batch; then SIGTERM.
        factory.Provider.HoldLookup("seed-2");
        factory.Provider.HoldLookup("seed-3");
        var settling = Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ExpiredClaimSettler>().SettleAsync(CancellationToken.None);
        }, Cancel);
        await Eventually.WaitUntilAsync(() => factory.Provider.Lookups("seed-2") == 1 && factory.Provider.Lookups("seed-3") == 1);
        signal.StopApplication();
        factory.Provider.ReleaseLookup("seed-2");
        factory.Provider.ReleaseLookup("seed-3");
        await settling.WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        // The provider holds all six: none may be called unpaid.
        var states = await StatesAsync(client);
        Assert.All(Seeded, id => Assert.Contains(states[id], new[] { "paid", "inDoubt" }));
        Assert.Equal(HttpStatusCode.OK, (await factory.ProviderClient.GetAsync("/payments/seed-4", Cancel)).StatusCode);

        // After the restart, recovery settles what the shutdown left in doubt: every one paid, none paid twice.
        clock.Advance(TimeSpan.FromMinutes(5));
        using var restarted = factory.With(SixSeeded(parallel: 2), Manually(clock));
        await using (var scope = restarted.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ExpiredClaimSettler>().SettleAsync(CancellationToken.None);
        }
        using var after = restarted.CreateClient();
        Assert.All(Seeded, id => Assert.Equal("paid", StatesAsync(after).Result[id]));
        var ledger = JsonDocument.Parse(await factory.ProviderClient.GetStringAsync("/payments", Cancel)).RootElement;
        Assert.Equal(Seeded,
            ledger.EnumerateArray().Select(payment => payment.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
    }

    /// <summary>Pays I1 to I3 on a fresh service, I2's provider call set up to answer 500; what the service made of it.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body, int Lookups, string State)> PayWithI2AnsweringAsync(
        Action<ProviderDouble> answer500)
    {
        using var factory = new InvoiceAppFactory();
        using var client = factory.CreateClient();
        answer500(factory.Provider);

        var pay = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = await pay.ReadJsonAsync();

        return (pay.StatusCode, body, factory.Provider.Lookups("I2"), (await StatesAsync(client))["I2"]);
    }

    [Fact]
    public async Task A_provider_500_after_recording_the_payment_is_looked_up_and_reported_paid()
    {
        var (status, body, lookups, state) =
            await PayWithI2AnsweringAsync(provider => provider.Set("I2", ProviderBehaviour.RecordsThenFails));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["I1", "I2", "I3"], body.GetProperty("paid").InvoiceIds());
        Assert.Equal(1, lookups);
        Assert.Equal("paid", state);
    }

    [Fact]
    public async Task A_provider_500_without_a_recorded_payment_is_looked_up_then_reported_failed_and_left_unpaid()
    {
        var (status, body, lookups, state) = await PayWithI2AnsweringAsync(provider => provider.Set("I2", ProviderBehaviour.Fails));

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal(["I2"], body.GetProperty("failed").InvoiceIds());
        Assert.Equal(1, lookups);
        Assert.Equal("unpaid", state);
    }

    [Fact]
    public async Task A_provider_500_that_cannot_be_looked_up_is_reported_in_doubt_not_failed()
    {
        var (status, body, _, state) = await PayWithI2AnsweringAsync(provider =>
        {
            provider.Set("I2", ProviderBehaviour.RecordsThenFails);
            provider.FailLookups("I2");
        });

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal(["I2"], body.GetProperty("inDoubt").InvoiceIds());
        Assert.Empty(body.GetProperty("failed").EnumerateArray());
        Assert.Equal("inDoubt", state);
    }
}
