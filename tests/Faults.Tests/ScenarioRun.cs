using System.Diagnostics;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// One fault scenario under its time limit: the system seeded, the provider and invoice-app running; at the end, the
/// audit that every invoice was paid exactly once, with the figures printed.
/// </summary>
public sealed class ScenarioRun(CancellationTokenSource timeout, Stopwatch clock, string engine, PaymentSystem system)
    : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    public PaymentSystem System { get; } = system;

    public CancellationToken Token => timeout.Token;

    /// <summary>The invoice-app processes started with the run; a scenario replaces the ones it kills.</summary>
    public ServiceProcess[] Apps { get; private set; } = [];

    public static async Task<ScenarioRun> StartAsync(string engine, int seed, int invoices, int invoiceApps = 1)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        var clock = Stopwatch.StartNew();
        PaymentSystem? created = null;
        try
        {
            created = await PaymentSystem.CreateAsync(engine, seed, timeout.Token);
            var run = new ScenarioRun(timeout, clock, engine, created);
            await created.SeedAsync(invoices, run.Token);
            await created.StartProviderAsync(run.Token);
            // Replicas starting together also race to migrate the schema.
            run.Apps = await Task.WhenAll(Enumerable.Range(0, invoiceApps).Select(_ => created.StartInvoiceAppAsync(run.Token)));
            return run;
        }
        catch
        {
            if (created is not null)
            {
                await created.DisposeAsync();
            }
            timeout.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Audits through <paramref name="app"/>, prints the figures, and fails on a double payment, a lost invoice or an
    /// error logged.
    /// </summary>
    public async Task<Audit> AssertEveryInvoicePaidOnceAsync(ServiceProcess app, string scenario, string notes = "")
    {
        var audit = await System.AuditAsync(app, Token);
        Report(scenario, audit, notes);
        audit.AssertExactlyOnce(System.Diagnostics);
        return audit;
    }

    /// <summary>Prints the figures, and fails when a service logged an error: faults must be handled, not crash requests.</summary>
    private void Report(string scenario, Audit audit, string notes)
    {
        var errors = System.ErrorsLogged;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"[{scenario} / {engine}] {audit.Invoices} invoices, {System.PayCalls} POST /invoices/pay; " +
            $"proxy: {System.Proxy.Describe()}; " +
            $"crashes survived: {System.CrashesSurvived}; double payments found: {audit.DoublePayments}; invoices lost: {audit.Lost}; " +
            $"replays absorbed by the provider: {audit.ReplaysAbsorbed}; errors logged by the services: {errors.Count}; " +
            $"{notes}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(errors.Count == 0,
            $"the services logged errors:\n{string.Join("\n", errors.Take(10))}\n{System.ErrorDetails}\n{System.Diagnostics}");
    }

    public async ValueTask DisposeAsync()
    {
        await System.DisposeAsync();
        timeout.Dispose();
    }
}
