using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace TestSupport;

/// <summary>
/// The AppHost under <c>DistributedApplicationTestingBuilder</c>, as the end-to-end, dashboard and script tests start it.
/// </summary>
public static class AppHostTesting
{
    public const string InvoiceApp = "invoice-app";
    public const string PaymentProvider = "payment-provider";

    /// <summary>Each service's connection name: the AppHost passes none in run mode, the services default to SQLite.</summary>
    private static readonly (string Resource, string Connection)[] Databases =
    [
        (InvoiceApp, "invoicesdb"),
        (PaymentProvider, "paymentsdb"),
    ];

    /// <summary>
    /// Each service on a SQLite file of its own in <paramref name="directory"/> (named after the resource), never on the
    /// checkout's data folders that a developer's own run uses.
    /// </summary>
    public static void UseDatabasesIn(this IDistributedApplicationTestingBuilder builder, string directory)
    {
        foreach (var (resource, connection) in Databases)
        {
            var project = builder.Resources.OfType<ProjectResource>().Single(candidate => candidate.Name == resource);
            builder.CreateResourceBuilder(project)
                .WithEnvironment($"ConnectionStrings__{connection}", $"Data Source={Path.Combine(directory, resource + ".db")}");
        }
    }

    /// <summary>Builds and starts the application and waits until both services answer their health checks.</summary>
    public static async Task<DistributedApplication> StartHealthyAsync(
        this IDistributedApplicationTestingBuilder builder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var app = await builder.BuildAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            foreach (var (resource, _) in Databases)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken)
                    .WaitAsync(timeout, cancellationToken);
            }
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
