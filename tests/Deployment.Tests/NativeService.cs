using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// A published native executable started as its container starts it (<see cref="ListeningProcess"/>): from its
/// publish folder, inheriting nothing of the test run's own settings.
/// </summary>
public sealed class NativeService : IAsyncDisposable
{
    private const int KeptOutputLines = 200;

    private readonly ListeningProcess _process;

    private NativeService(ListeningProcess process) => _process = process;

    public Uri Address => _process.Address;

    /// <summary>The last lines the service wrote, for a failure message.</summary>
    public string RecentOutput => _process.RecentOutput;

    /// <summary>Starts the executable and returns once it listens.</summary>
    public static async Task<NativeService> StartAsync(string executable, IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        // A container inherits nothing of the test run: no environment name, no telemetry endpoint, no runtime setting.
        var start = ListeningProcess.InProduction(executable, [], Path.GetDirectoryName(executable)!, environment, IsInheritedSetting);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return new NativeService(
                await ListeningProcess.StartAsync(Path.GetFileName(executable), start, KeptOutputLines, onLine: null, deadline.Token));
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Path.GetFileName(executable)} did not listen within {timeout}: {exception.Message}", exception);
        }
    }

    /// <summary>Sends SIGTERM, as the kubelet does to stop a pod, and returns the exit code once the process has ended.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _process.TerminateAsync(timeout, cancellationToken);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static bool IsInheritedSetting(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("DOTNET_", StringComparison.Ordinal)
        || key.StartsWith("OTEL_", StringComparison.Ordinal) || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("services__", StringComparison.OrdinalIgnoreCase);
}
