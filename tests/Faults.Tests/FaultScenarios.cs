using System.Diagnostics;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// The services as real processes under real faults: a provider that fails, times out, drops connections and
/// dies; invoice-app processes killed mid-payment; replicas racing over one database. After each scenario every
/// invoice must be paid exactly once at the provider and shown as paid, and none lost.
/// </summary>
public sealed class FaultScenarios
{
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(150);

    private const int FaultsBeforeRecovery = 150;

    private static readonly FaultPlan BadWeather =
        new(FailRate: 0.2, DropBeforeRate: 0.05, DropAfterRate: 0.1, DelayRate: 0.05, Delay: TimeSpan.FromSeconds(1.5));

    [Theory]
    [ClassData(typeof(Engines))]
    public async Task A_provider_failing_and_timing_out_then_recovering_gets_every_invoice_paid_once(string engine)
    {
        using var timeout = ScenarioToken();
        var token = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var system = await PaymentSystem.CreateAsync(engine, seed: 11, token);
        await system.SeedAsync(300, token);
        await system.StartProviderAsync(token);
        var app = await system.StartInvoiceAppAsync(token);

        system.Proxy.Plan = BadWeather;
        var paying = system.PayUntilAllPaidAsync(() => app, token);
        // Bad weather for a number of faults rather than a time, so that a slow machine gets as many.
        while (system.Proxy.FaultsInjected < FaultsBeforeRecovery && !paying.IsCompleted)
        {
            await Task.Delay(20, token);
        }
        await FailIfFinishedAsync(paying, "the provider recovered");
        var paidInBadWeather = system.ConfirmedPayments;
        system.Proxy.Plan = FaultPlan.Healthy;
        await paying;

        var audit = await system.AuditAsync(app, token);
        Report("provider failing, timing out, then recovering", engine, system, audit, clock.Elapsed,
            $"{paidInBadWeather} confirmed during the faults");
        audit.AssertExactlyOnce(system.Diagnostics);
    }

    [Theory]
    [ClassData(typeof(Engines))]
    public async Task The_provider_killed_and_restarted_mid_run_loses_and_doubles_nothing(string engine)
    {
        using var timeout = ScenarioToken();
        var token = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var system = await PaymentSystem.CreateAsync(engine, seed: 12, token);
        await system.SeedAsync(400, token);
        await system.StartProviderAsync(token);
        var app = await system.StartInvoiceAppAsync(token);
        // Some answers lost on the way back as well, so that the restarted provider sees repeats.
        system.Proxy.Plan = new FaultPlan(0, 0, DropAfterRate: 0.05, 0, TimeSpan.Zero);

        var paying = system.PayUntilAllPaidAsync(() => app, token);
        foreach (var killAt in new[] { 80, 220 })
        {
            await system.WaitForConfirmedAsync(killAt, token);
            await system.KillProviderAsync();
            await FailIfFinishedAsync(paying, "the provider was killed");
            await Task.Delay(TimeSpan.FromSeconds(1.5), token);
            await system.StartProviderAsync(token);
            system.CountCrashSurvived();
        }
        await paying;

        var audit = await system.AuditAsync(app, token);
        Report("provider killed and restarted twice", engine, system, audit, clock.Elapsed, "");
        audit.AssertExactlyOnce(system.Diagnostics);
    }

    [Theory]
    [ClassData(typeof(Engines))]
    public async Task Invoice_app_killed_while_paying_1000_invoices_pays_each_exactly_once_after_restart(string engine)
    {
        using var timeout = ScenarioToken();
        var token = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var system = await PaymentSystem.CreateAsync(engine, seed: 13, token);
        await system.SeedAsync(1000, token);
        await system.StartProviderAsync(token);
        var app = await system.StartInvoiceAppAsync(token);
        var inDoubt = new List<string>();
        system.Proxy.Plan = FaultPlan.Healthy with { Latency = TimeSpan.FromMilliseconds(20) };

        var paying = system.PayUntilAllPaidAsync(() => app, token);
        foreach (var killAt in new[] { 150, 450, 750 })
        {
            await system.WaitForConfirmedAsync(killAt, token);
            await system.KillInvoiceAppAsync(app);
            await FailIfFinishedAsync(paying, "invoice-app was killed");
            var (claimed, alreadyAtProvider) = await system.InDoubtAsync(token);
            inDoubt.Add($"{claimed} claimed ({alreadyAtProvider} already recorded by the provider)");
            app = await system.StartInvoiceAppAsync(token);
            system.CountCrashSurvived();
        }
        await paying;

        var audit = await system.AuditAsync(app, token);
        Report("invoice-app killed 3 times while paying 1,000", engine, system, audit, clock.Elapsed,
            $"left in doubt at each kill: {string.Join("; ", inDoubt)}");
        audit.AssertExactlyOnce(system.Diagnostics);
    }

    [Fact]
    public async Task Three_invoice_apps_paying_at_once_against_one_postgresql_pay_each_invoice_once()
    {
        using var timeout = ScenarioToken();
        var token = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var system = await PaymentSystem.CreateAsync(TestDatabase.Postgres, seed: 14, token);
        await system.SeedAsync(600, token);
        await system.StartProviderAsync(token);
        var apps = new ServiceProcess[3];
        // Replicas starting together also race to migrate the schema.
        await Task.WhenAll(Enumerable.Range(0, apps.Length).Select(async i => apps[i] = await system.StartInvoiceAppAsync(token)));
        system.Proxy.Plan =
            new FaultPlan(FailRate: 0.1, DropBeforeRate: 0, DropAfterRate: 0.05, DelayRate: 0.02, Delay: TimeSpan.FromSeconds(1.5));

        // Two clients per replica, as a load balancer would spread them.
        var paying = Enumerable.Range(0, apps.Length * 2)
            .Select(i => system.PayUntilAllPaidAsync(() => apps[i % apps.Length], token))
            .ToList();
        await system.WaitForConfirmedAsync(250, token);
        await system.KillInvoiceAppAsync(apps[1]);
        apps[1] = await system.StartInvoiceAppAsync(token);
        system.CountCrashSurvived();
        await Task.WhenAll(paying);

        var audit = await system.AuditAsync(apps[0], token);
        Report("3 invoice-apps on one PostgreSQL, one killed", TestDatabase.Postgres, system, audit, clock.Elapsed, "");
        audit.AssertExactlyOnce(system.Diagnostics);
        foreach (var app in apps)
        {
            Assert.Equal(audit, await system.AuditAsync(app, token));
        }
    }

    /// <summary>A kill after the work is done proves nothing; a paying loop that died must show why.</summary>
    private static async Task FailIfFinishedAsync(Task paying, string moment)
    {
        if (paying.IsCompleted)
        {
            await paying;
            Assert.Fail($"every invoice was paid before {moment}: the scenario proved nothing");
        }
    }

    private static CancellationTokenSource ScenarioToken()
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScenarioTimeout);
        return timeout;
    }

    /// <summary>Prints the figures, and fails when a service logged an error: faults must be handled, not crash requests.</summary>
    private static void Report(string scenario, string engine, PaymentSystem system, Audit audit, TimeSpan elapsed, string notes)
    {
        var errors = system.ErrorsLogged;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"[{scenario} / {engine}] {audit.Invoices} invoices, {system.PayCalls} POST /invoices/pay; proxy: {system.Proxy.Describe()}; " +
            $"crashes survived: {system.CrashesSurvived}; double payments found: {audit.DoublePayments}; invoices lost: {audit.Lost}; " +
            $"replays absorbed by the provider: {audit.ReplaysAbsorbed}; errors logged by the services: {errors.Count}; " +
            $"{notes}; {elapsed.TotalSeconds:F1} s");
        Assert.True(errors.Count == 0,
            $"the services logged errors:\n{string.Join("\n", errors.Take(10))}\n{system.ErrorDetails}\n{system.Diagnostics}");
    }
}
