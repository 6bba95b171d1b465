using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using TestSupport;

namespace Dashboard.Tests;

/// <summary>
/// The whole system as <c>dotnet run --project AppHost</c> starts it, dashboard included, on ports chosen now; each
/// service on a fresh SQLite file. Once started it pays the demo invoices through invoice-app, so that the dashboard
/// holds the telemetry of real payments.
/// </summary>
public class PaymentSystemWithDashboard : IAsyncLifetime
{
    public const string DashboardResource = "aspire-dashboard";
    public const string InvoiceApp = AppHostTesting.InvoiceApp;
    public const string PaymentProvider = AppHostTesting.PaymentProvider;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("dashboard-tests-").FullName;
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("not started");

    /// <summary>The dashboard's own address (the AppHost prints it as "Now listening on").</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>invoice-app's answer to <c>POST /invoices/pay</c>: its status and body.</summary>
    public HttpStatusCode PayStatus { get; private set; }

    public JsonObject PayAnswer { get; private set; } = null!;

    public HttpClient Dashboard { get; private set; } = null!;

    /// <summary>What the dashboard received from the services.</summary>
    public TelemetryApi Telemetry => new(Dashboard);

    /// <summary>Checks invoice-app's answer to the pay call: its status and the invoice ids in one of its lists.</summary>
    public void AssertPayAnswer(HttpStatusCode status, string list, string[] invoiceIds)
    {
        Assert.Equal(status, PayStatus);
        Assert.Equal(invoiceIds, PayAnswer[list]!.AsArray().Select(entry => (string)entry!["InvoiceId"]!));
    }

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAndPayAsync();
        }
        catch
        {
            // A fixture that fails to start is not disposed by the runner: stop what did start.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAndPayAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var token = timeout.Token;

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            DashboardArguments(),
            (options, _) => options.DisableDashboard = false,
            token).WaitAsync(token);

        builder.UseDatabasesIn(_dataDirectory);

        _app = await builder.StartHealthyAsync(StartTimeout, token);
        await _app.ResourceNotifications.WaitForResourceAsync(DashboardResource, KnownResourceStates.Running, token).WaitAsync(token);

        DashboardUrl = _app.GetEndpoint(DashboardResource, "http");
        Dashboard = new HttpClient { BaseAddress = DashboardUrl, Timeout = TimeSpan.FromSeconds(10) };

        await BeforePayingAsync(_app, token);

        using var invoices = _app.CreateHttpClient(InvoiceApp);
        using var response = await invoices.PostAsync("/invoices/pay", content: null, token);
        PayStatus = response.StatusCode;
        PayAnswer = (await response.Content.ReadFromJsonAsync<JsonObject>(token))!;
    }

    /// <summary>What a variant of the system does once it runs, before the invoices are paid.</summary>
    protected virtual Task BeforePayingAsync(DistributedApplication app, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        Dashboard?.Dispose();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _app.StopAsync(timeout.Token).WaitAsync(timeout.Token);
            await _app.DisposeAsync();
            _app = null;
        }
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The testing builder leaves the dashboard out (turned back on above); these let it run without login tokens, over http, on free ports
    /// (the AppHost's launch profile names fixed ones, which a developer's own run may hold).
    /// </summary>
    private static string[] DashboardArguments() =>
    [
        "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
        $"ASPNETCORE_URLS=http://localhost:{FreePort()}",
        $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort()}",
        $"ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort()}",
        $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort()}",
    ];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
