using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>Prometheus's text format at <c>/metrics</c>, only on <c>Metrics:Port</c>, a port of its own (also in
/// <c>ASPNETCORE_URLS</c>): the API port answers 404 and the metrics port serves nothing else, so an Ingress never
/// routes metrics and a NetworkPolicy can open that port to Prometheus alone.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public const string HealthMeter = "ServiceDefaults.Health";

    public static TBuilder AddMetricsEndpoint<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<MetricsOptions>()
            .Bind(builder.Configuration.GetSection(MetricsOptions.Section))
            .Validate(o => o.Port is null or (>= 1 and <= 65535), "Metrics:Port must be a TCP port, 1 to 65535")
            .ValidateOnStart();
        builder.Services.AddSingleton<ReadinessMetrics>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(services => services.GetRequiredService<ReadinessMetrics>());
        builder.Services.Configure<HealthCheckPublisherOptions>(o => o.Period = TimeSpan.FromSeconds(10));

        var port = builder.Configuration.GetValue<int?>($"{MetricsOptions.Section}:{nameof(MetricsOptions.Port)}");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(HealthMeter);
            if (port is not null)
            {
                metrics.AddPrometheusExporter();
            }
        });
        return builder;
    }

    /// <summary>Before every other middleware: requests on the metrics port never reach the API's pipeline.</summary>
    public static WebApplication UseMetricsPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is not { } port)
        {
            return app;
        }
        // The port the connection arrived on, not the Host header, which any client may set.
        app.MapWhen(context => context.Connection.LocalPort == port, metrics =>
        {
            metrics.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == Path);
            metrics.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }
}
