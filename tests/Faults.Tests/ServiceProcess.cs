using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Faults.Tests;

/// <summary>
/// One service running as it does in production: <c>dotnet Service.dll</c> from its build output, in the
/// Production environment, configured only through environment variables, on a free loopback port.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 300;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killed;
    private readonly ConcurrentQueue<string> _errors = new();

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    /// <summary>Killed by the test (set before the signal goes out, so a refused connection is never mistaken for a crash) or exited.</summary>
    public bool HasExited => _killed || _process.HasExited;

    /// <summary>Log entries at level Error or Critical (the console logger's <c>fail:</c> and <c>crit:</c>), except the resilience pipeline's: unhandled exceptions among them.</summary>
    public IReadOnlyCollection<string> ErrorsLogged => _errors;

    private const int ErrorDetailLines = 6;
    private readonly ConcurrentQueue<string> _errorDetails = new();
    private int _errorDetailLines;

    /// <summary>What followed each logged error's header: its message and the top of its exception.</summary>
    public string ErrorDetails => string.Join('\n', _errorDetails);

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string RecentOutput => string.Join('\n', _output);

    public static string AssemblyPath(string service) =>
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == $"ServiceAssembly:{service}")?.Value
        ?? throw new InvalidOperationException($"the test project does not reference the service {service}");

    /// <summary>Starts the service and returns once its readiness probe answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var assembly = AssemblyPath(name);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Port 0: the kernel picks a free port, and the service logs which.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, line) => service.Received(line.Data);
        process.ErrorDataReceived += (_, line) => service.Received(line.Data);
        process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException($"{service.Name} exited at start:\n{service.RecentOutput}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            service.Address = await service._listening.Task.WaitAsync(deadline.Token);
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
    public async Task KillAsync()
    {
        _killed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Sends SIGTERM, as the kubelet does on every rollout and scale-down, and waits for the process to exit on its
    /// own. Returns how long that took.
    /// </summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
            Assert.Equal(0, kill.ExitCode);
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"{Name} did not exit within {timeout} of SIGTERM:\n{RecentOutput}");
        }
        _killed = true;
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
    }

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

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
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
