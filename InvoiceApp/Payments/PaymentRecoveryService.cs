using InvoiceApp.Storage;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>Settles expired claims at start and every <see cref="PaymentOptions.RecoveryInterval"/>; it never pays,
/// so an invoice the provider does not hold is unpaid again for the next pay call.</summary>
public sealed partial class PaymentRecoveryService(
    IServiceScopeFactory scopes, IOptions<PaymentOptions> options, TimeProvider time, ILogger<PaymentRecoveryService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RecoveryInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<ExpiredClaimSettler>().SettleAsync(stoppingToken);
                if (result.Paid.Count + result.Failed.Count + result.InDoubt.Count > 0)
                {
                    LogSettled(result.Paid.Count, result.InDoubt.Count, result.Failed.Count);
                }
                var unsettled = await scope.ServiceProvider.GetRequiredService<IInvoiceStore>().FindUnsettledClaimsAsync(stoppingToken);
                scope.ServiceProvider.GetRequiredService<InvoiceMetrics>().RecoveryFinished(unsettled);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The store may be briefly unreachable; the next round tries again.
                LogRecoveryFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Information, "Settled expired claims: {Paid} found paid, {InDoubt} still in doubt, {Failed} failed")]
    private partial void LogSettled(int paid, int inDoubt, int failed);

    [LoggerMessage(LogLevel.Warning, "Settling expired claims failed; trying again later")]
    private partial void LogRecoveryFailed(Exception exception);
}
