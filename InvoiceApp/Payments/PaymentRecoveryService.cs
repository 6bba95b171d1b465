using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>
/// Settles payments that a process left half done (it died between claiming an invoice and recording the
/// provider's answer): at start, then every <see cref="PaymentOptions.RecoveryInterval"/>. A pay request
/// settles them too; this covers the time when nobody asks.
/// </summary>
public sealed partial class PaymentRecoveryService(
    IServiceScopeFactory scopes, IOptions<PaymentOptions> options, TimeProvider time, ILogger<PaymentRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RecoveryInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<InvoicePayer>().SettleInterruptedAsync(stoppingToken);
                if (result.Paid.Count + result.Failed.Count > 0)
                {
                    LogSettled(result.Paid.Count, result.Failed.Count);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The store may be briefly unreachable; the next round tries again.
                LogRecoveryFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Information, "Settled interrupted payments: {Paid} paid, {Failed} still unpaid")]
    private partial void LogSettled(int paid, int failed);

    [LoggerMessage(LogLevel.Warning, "Settling interrupted payments failed; trying again later")]
    private partial void LogRecoveryFailed(Exception exception);
}
