using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Readiness as a gauge (<c>health.ready</c>: 1 ready, 0 not), from the health checks' periodic publisher: an
/// alert sees a pod that is running, scraped and out of its Service.</summary>
public sealed class ReadinessMetrics : IHealthCheckPublisher
{
    private volatile int _ready = 1;

    public ReadinessMetrics(IMeterFactory meters)
    {
        meters.Create(MetricsEndpoint.HealthMeter)
            .CreateObservableGauge("health.ready", () => _ready, description: "1 while the readiness checks pass, else 0");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        var ready = report.Entries.Values
            .Where(entry => entry.Tags.Contains(Extensions.ReadyTag) || entry.Tags.Contains(Extensions.LiveTag))
            .All(entry => entry.Status != HealthStatus.Unhealthy);
        _ready = ready ? 1 : 0;
        return Task.CompletedTask;
    }
}
