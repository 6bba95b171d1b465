using TestSupport;

namespace Faults.Tests;

/// <summary>
/// The services as real processes under real faults: a provider that fails, times out, drops connections and
/// dies; invoice-app processes killed mid-payment; replicas racing over one database. After each scenario every
/// invoice must be paid exactly once at the provider and shown as paid, and none lost.
/// </summary>
public sealed class FaultScenarios
{
    private const int FaultsBeforeRecovery = 150;

    private static readonly FaultPlan BadWeather =
        new(FailRate: 0.2, DropBeforeRate: 0.05, DropAfterRate: 0.1, DelayRate: 0.05, Delay: TimeSpan.FromSeconds(1.5));

    [Theory, ClassData(typeof(Engines))]
    public async Task A_provider_failing_and_timing_out_then_recovering_gets_every_invoice_paid_once(string engine)
    {
        await using var run = await ScenarioRun.StartAsync(engine, seed: 11, invoices: 300);
        var (system, token, app) = (run.System, run.Token, run.Apps[0]);

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

        await run.AssertEveryInvoicePaidOnceAsync(app, "provider failing, timing out, then recovering",
            $"{paidInBadWeather} confirmed during the faults");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task The_provider_killed_and_restarted_mid_run_loses_and_doubles_nothing(string engine)
    {
        await using var run = await ScenarioRun.StartAsync(engine, seed: 12, invoices: 400);
        var (system, token, app) = (run.System, run.Token, run.Apps[0]);
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

        await run.AssertEveryInvoicePaidOnceAsync(app, "provider killed and restarted twice");
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Invoice_app_killed_while_paying_1000_invoices_pays_each_exactly_once_after_restart(string engine)
    {
        await using var run = await ScenarioRun.StartAsync(engine, seed: 13, invoices: 1000);
        var (system, token, app) = (run.System, run.Token, run.Apps[0]);
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

        await run.AssertEveryInvoicePaidOnceAsync(app, "invoice-app killed 3 times while paying 1,000",
            $"left in doubt at each kill: {string.Join("; ", inDoubt)}");
    }

    [Fact]
    public async Task Three_invoice_apps_paying_at_once_against_one_postgresql_pay_each_invoice_once()
    {
        await using var run = await ScenarioRun.StartAsync(TestDatabase.Postgres, seed: 14, invoices: 600, invoiceApps: 3);
        var (system, token, apps) = (run.System, run.Token, run.Apps);
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

        var audit = await run.AssertEveryInvoicePaidOnceAsync(apps[0], "3 invoice-apps on one PostgreSQL, one killed");
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
}
