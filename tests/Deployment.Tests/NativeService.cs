using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Deployment.Tests;

/// <summary>
/// A published native executable started as its container starts it: from its publish folder, in the Production
/// environment, configured through environment variables only, on a loopback port the kernel picks (port 0 in
/// <c>ASPNETCORE_URLS</c>; the address comes from the service's own "Now listening on" line, so no port can be taken
/// between choosing and binding it).
/// </summary>
public sealed partial class NativeService : IAsyncDisposable
{
    private const int KeptOutputLines = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NativeService(Process process)
    {
        _process = process;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>The last lines the service wrote, for a failure message.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>Starts the executable and returns once it listens.</summary>
    public static async Task<NativeService> StartAsync(string executable, IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A container inherits nothing of the test run: no environment name, no telemetry endpoint, no runtime setting.
        foreach (var key in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new NativeService(process);
        process.OutputDataReceived += (_, line) => service.Received(line.Data);
        process.ErrorDataReceived += (_, line) => service.Received(line.Data);
        process.Exited += (_, _) => service._listening.TrySetException(
            new InvalidOperationException($"{Path.GetFileName(executable)} exited at start:\n{service.RecentOutput}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            service.Address = await service._listening.Task.WaitAsync(timeout, cancellationToken);
            return service;
        }
        catch (TimeoutException exception)
        {
            await service.DisposeAsync();
            throw new TimeoutException($"{Path.GetFileName(executable)} did not listen within {timeout}:\n{service.RecentOutput}", exception);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM, as the kubelet does to stop a pod, and returns the exit code once the process has ended.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"the service did not exit within {timeout} of SIGTERM:\n{RecentOutput}", exception);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static bool IsInheritedSetting(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("DOTNET_", StringComparison.Ordinal)
        || key.StartsWith("OTEL_", StringComparison.Ordinal) || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("services__", StringComparison.OrdinalIgnoreCase);

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
