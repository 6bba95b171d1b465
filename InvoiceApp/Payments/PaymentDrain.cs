using Microsoft.Extensions.Options;

namespace InvoiceApp.Payments;

/// <summary>On SIGTERM no new payment starts; those in flight go on until <see cref="Deadline"/>
/// (<see cref="PaymentOptions.DrainTimeout"/> later), which cuts off whatever still waits for the provider.</summary>
public sealed class PaymentDrain : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _stopping;
    private readonly CancellationToken _stoppingToken;

    public PaymentDrain(IHostApplicationLifetime lifetime, IOptions<PaymentOptions> options, TimeProvider time)
    {
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _stoppingToken = lifetime.ApplicationStopping;
        var drainTimeout = options.Value.DrainTimeout;
        _stopping = _stoppingToken.Register(() => _deadline.CancelAfter(drainTimeout));
    }

    public bool IsDraining => _stoppingToken.IsCancellationRequested;

    /// <summary>Cancels payments still in flight when the drain time is up.</summary>
    public CancellationToken Deadline => _deadline.Token;

    public void Dispose()
    {
        _stopping.Dispose();
        _deadline.Dispose();
    }
}
