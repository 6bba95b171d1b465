using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every service shares: OpenTelemetry, Prometheus metrics, health checks, service discovery, resilient
/// HttpClients, problem documents for errors, the OpenAPI document and trusted forwarded headers.</summary>
public static class Extensions
{
    /// <summary>Readiness: the service's own dependencies (its store), never another service.</summary>
    public const string ReadyTag = "ready";

    public const string LiveTag = "live";

    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddMetricsEndpoint();
        builder.AddDefaultHealthChecks();
        builder.Services.AddJsonErrors();
        builder.AddDefaultOpenApi();
        builder.AddTrustedForwardedHeaders();

        builder.Services.AddServiceDiscovery();
        // Retries are safe: every call this solution makes is idempotent (payments carry their id).
        var resilience = builder.Configuration.GetSection("HttpClientResilience");
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            if (resilience.Exists())
            {
                http.AddStandardResilienceHandler(resilience);
            }
            else
            {
                http.AddStandardResilienceHandler();
            }
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var serviceName = builder.Environment.ApplicationName;

        // The slim builder pins the console's simple formatter: Logging:Console:FormatterName (json in the cluster,
        // with the trace and span ids among the scopes) chooses again.
        if (builder.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter)
        {
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = formatter);
        }
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(serviceName)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Probes run every few seconds; their spans would bury the payments.
                    aspNetCore.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>The probes in every environment (Kubernetes probes run outside Development), as handlers so that the
    /// OpenAPI document describes them; <c>/readiness</c> and <c>/liveness</c> keep the original services' answers.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseMetricsPort();
        app.UseJsonErrors();

        app.MapGet(HealthPath, (HealthCheckService health, CancellationToken cancellationToken) =>
                ReportAsync(health, check => check.Tags.Contains(ReadyTag) || check.Tags.Contains(LiveTag), cancellationToken))
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status503ServiceUnavailable);
        app.MapGet(AlivePath, (HealthCheckService health, CancellationToken cancellationToken) =>
                ReportAsync(health, check => check.Tags.Contains(LiveTag), cancellationToken))
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/liveness", () => TypedResults.Text("alive"))
            .ProducesText(StatusCodes.Status200OK);
        app.MapGet("/readiness", async Task<ContentHttpResult> (HealthCheckService health, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
            return report.Status == HealthStatus.Unhealthy
                ? TypedResults.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable)
                : TypedResults.Text("ready");
        })
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status503ServiceUnavailable);

        app.MapDefaultOpenApi();

        return app;
    }

    private static async Task<ContentHttpResult> ReportAsync(
        HealthCheckService health, Func<HealthCheckRegistration, bool> predicate, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(predicate, cancellationToken);
        return TypedResults.Text(report.Status.ToString(),
            statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    /// <summary>A text answer's statuses, which a <c>ContentHttpResult</c> does not declare itself.</summary>
    private static RouteHandlerBuilder ProducesText(this RouteHandlerBuilder endpoint, params int[] statusCodes)
    {
        foreach (var statusCode in statusCodes)
        {
            endpoint.Produces<string>(statusCode, "text/plain");
        }
        return endpoint;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath) ||
        path.StartsWithSegments("/liveness") || path.StartsWithSegments("/readiness");
}
