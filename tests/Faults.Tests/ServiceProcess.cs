using System.Collections.Concurrent;
using System.Reflection;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// One service running as it does in production: <c>dotnet Service.dll</c> from its build output, in the
/// Production environment, configured only through environment variables, on a free loopback port.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 300;
    private const int ErrorDetailLines = 6;

    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _errorDetails = new();
    private ListeningProcess _process = null!;
    private int _errorDetailLines;

    private ServiceProcess()
    {
    }

    public string Name => _process.Name;

    public Uri Address => _process.Address;

    // Killed by the test or exited; set before the kill signal goes out, so a refused connection is never taken for a crash.
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Log entries at level Error or Critical (the console logger's <c>fail:</c> and <c>crit:</c>), except the resilience
    /// pipeline's: unhandled exceptions among them.
    /// </summary>
    public IReadOnlyCollection<string> ErrorsLogged => _errors;

    /// <summary>What followed each logged error's header: its message and the top of its exception.</summary>
    public string ErrorDetails => string.Join('\n', _errorDetails);

    public string RecentOutput => _process.RecentOutput;

    public static string AssemblyPath(string service) =>
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == $"ServiceAssembly:{service}")?.Value
        ?? throw new InvalidOperationException($"the test project does not reference the service {service}");

    /// <summary>Starts the service and returns once its readiness probe answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(
        string name, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var assembly = AssemblyPath(name);
        var start = ListeningProcess.InProduction(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [assembly],
            Path.GetDirectoryName(assembly)!, environment, key => key == "OTEL_EXPORTER_OTLP_ENDPOINT");
        var service = new ServiceProcess();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        service._process = await ListeningProcess.StartAsync(name, start, KeptOutputLines, service.Received, deadline.Token);
        try
        {
            await service.WaitHealthyAsync(deadline.Token);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the process at once, as a crash or an OOM kill would: no graceful shutdown.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as the kubelet sends on every rollout and scale-down; returns how long the process took to exit.</summary>
    public Task<TimeSpan> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _process.TerminateAsync(timeout, cancellationToken);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not accepting yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe outlasted its own timeout on a loaded machine: the start deadline decides, not one probe.
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Keeps the error lines, and the lines under each, as they come.</summary>
    private void Received(string line)
    {
        // Polly logs the faults it handles (an attempt timed out, the last retry failed) at Error level: expected here.
        if ((line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            && !line.StartsWith("fail: Polly", StringComparison.Ordinal))
        {
            _errors.Enqueue(line);
            _errorDetailLines = ErrorDetailLines;
        }
        else if (_errorDetailLines > 0 && line.StartsWith(' '))
        {
            // The message and the first lines of the exception under an error's header, for the failure message.
            _errorDetails.Enqueue(line);
            _errorDetailLines--;
        }
        else
        {
            _errorDetailLines = 0;
        }
    }
}
