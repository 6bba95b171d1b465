using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using InvoiceApp.Storage;

namespace Persistence.Tests;

/// <summary>
/// A host wired as invoice-app wires its database (<see cref="PersistenceExtensions.AddDatabase"/> with its
/// readiness query), with the tracer exporting to memory: what the services register, without their HTTP side.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public const string ConnectionName = "invoicesdb";

    /// <summary>The source of the test's own parent span (the request's, in a service).</summary>
    public static readonly ActivitySource Test = new("Persistence.Tests");

    private readonly IHost _host;

    private ServiceHost(IHost host, List<Activity> exported)
    {
        _host = host;
        Exported = exported;
    }

    /// <summary>Every span the tracer exported, in the order they ended.</summary>
    public List<Activity> Exported { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<ServiceHost> StartAsync(string connectionString, CancellationToken cancellationToken, int? maxPoolSize = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection([
            new($"ConnectionStrings:{ConnectionName}", connectionString),
            new("Database:MaxPoolSize", maxPoolSize?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        builder.AddDatabase(ConnectionName, SqlInvoiceStore.ReadinessQuery);
        var exported = new List<Activity>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(Test.Name).AddInMemoryExporter(exported));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new ServiceHost(host, exported);
    }

    /// <summary>The spans exported so far (the exporter exports each as it ends).</summary>
    public IReadOnlyList<Activity> Spans()
    {
        Services.GetRequiredService<TracerProvider>().ForceFlush();
        lock (Exported)
        {
            return [.. Exported];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
