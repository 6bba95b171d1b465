using System.Text.Json;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// SIGTERM to a real invoice-app process while a slow provider holds its payments: the pay call gets an answer
/// (never a 500), the process exits within its deadline, and after a restart the two ledgers agree.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The host's shutdown timeout: the drain plus the margin for recording and answering.</summary>
    private static readonly TimeSpan ShutdownTimeout = DrainTimeout + TimeSpan.FromSeconds(10);

    private const int InFlight = 8;

    public static TheoryData<string, bool> Cases => new()
    {
        // The provider answers within the drain: the payments in flight finish and are paid.
        { TestDatabase.Sqlite, false },
        { TestDatabase.Postgres, false },
        // The provider holds its answers past the drain deadline: they are cut off and answered in doubt.
        { TestDatabase.Sqlite, true },
        { TestDatabase.Postgres, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sigterm_mid_payment_drains_answers_without_500_exits_in_time_and_loses_nothing(
        string engine, bool providerSlowerThanDrain)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(150));
        var token = timeout.Token;
        await using var system = await PaymentSystem.CreateAsync(engine, seed: 15, token);
        await system.SeedAsync(40, token);
        await system.StartProviderAsync(token);
        // Attempts long enough that only the drain deadline cuts a payment off; a short lease so recovery comes soon.
        var settings = new Dictionary<string, string>
        {
            ["Payments__DrainTimeout"] = DrainTimeout.ToString(),
            ["Payments__MaxParallelPayments"] = InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Payments__ClaimLease"] = "00:00:10",
            ["HttpClientResilience__AttemptTimeout__Timeout"] = "00:00:09",
            ["HttpClientResilience__TotalRequestTimeout__Timeout"] = "00:00:09",
            ["HttpClientResilience__CircuitBreaker__SamplingDuration"] = "00:00:20",
        };
        var app = await system.StartInvoiceAppAsync(token, settings);
        var latency = providerSlowerThanDrain ? DrainTimeout * 2 : DrainTimeout / 3;
        system.Proxy.Plan = FaultPlan.Healthy with { Latency = latency };

        var paying = system.PayAnswerAsync(app, token);
        while (system.Proxy.Requests < InFlight)
        {
            await Task.Delay(10, token);
        }
        var exitedAfter = await app.TerminateAsync(ShutdownTimeout + TimeSpan.FromSeconds(5), token);
        var (status, raw) = await paying;

        // The answer: 502 (the invoices not yet begun were not attempted), listing what happened to each.
        Assert.True(status == 502, $"POST /invoices/pay answered {status}: {raw}\n{app.RecentOutput}");
        using var body = JsonDocument.Parse(raw);
        string[] Ids(string list) =>
            [.. body.RootElement.GetProperty(list).EnumerateArray().Select(item => item.GetProperty("InvoiceId").GetString()!)];
        var paid = Ids("paid");
        var inDoubt = Ids("inDoubt");
        var failed = Ids("failed");
        Assert.Equal(system.Seeded.Count, paid.Length + inDoubt.Length + failed.Length + Ids("pending").Length);
        Assert.Equal(InFlight, providerSlowerThanDrain ? inDoubt.Length : paid.Length);
        Assert.Empty(providerSlowerThanDrain ? paid : inDoubt);
        Assert.True(exitedAfter < ShutdownTimeout, $"exited {exitedAfter} after SIGTERM; the host's shutdown timeout is {ShutdownTimeout}");
        Assert.True(providerSlowerThanDrain ? exitedAfter >= DrainTimeout : exitedAfter < DrainTimeout,
            $"exited {exitedAfter} after SIGTERM with a drain of {DrainTimeout} and a provider answering in {latency}");

        // After a restart and once recovery has settled every claim: what the provider holds is what invoice-app shows paid.
        system.Proxy.Plan = FaultPlan.Healthy;
        var restarted = await system.StartInvoiceAppAsync(token, settings);
        List<InvoiceView> invoices;
        while ((invoices = await system.InvoicesAsync(restarted, token)).Any(invoice => invoice.PaymentState is "inDoubt" or "pending"))
        {
            await Task.Delay(200, token);
        }
        var payments = await system.PaymentsAsync(token);
        var held = payments.Select(payment => payment.Id).ToHashSet();
        Assert.Equal(payments.Count, held.Count);
        Assert.Equal(held.Order(), invoices.Where(invoice => invoice.IsPaid).Select(invoice => invoice.InvoiceId).Order());
        Assert.Subset(new HashSet<string>([.. paid, .. inDoubt]), held);

        await system.PayUntilAllPaidAsync(() => restarted, token);
        var audit = await system.AuditAsync(restarted, token);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"[SIGTERM mid-payment / {engine} / provider answering in {latency.TotalSeconds:F1} s, " +
            $"drain {DrainTimeout.TotalSeconds:F0} s] " +
            $"answered {status}: {paid.Length} paid, {inDoubt.Length} in doubt, {failed.Length} not attempted; " +
            $"exited {exitedAfter.TotalSeconds:F1} s after SIGTERM; " +
            $"after restart and recovery: {held.Count} held by the provider = {held.Count} shown paid; " +
            $"double payments: {audit.DoublePayments}; invoices lost: {audit.Lost}");
        audit.AssertExactlyOnce(system.Diagnostics);
        var errors = string.Join("\n", system.ErrorsLogged.Take(10));
        Assert.True(system.ErrorsLogged.Count == 0, $"the services logged errors:\n{errors}\n{system.ErrorDetails}\n{system.Diagnostics}");
    }
}
