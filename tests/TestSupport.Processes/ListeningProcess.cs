using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TestSupport;

/// <summary>
/// A service running as its own process, as in production: started in the Production environment, configured through
/// environment variables only, on a loopback port the kernel picks (port 0 in <c>ASPNETCORE_URLS</c>). Its address
/// comes from its own "Now listening on" line, so no port can be taken between choosing and binding it. The last lines
/// it wrote are kept for failure messages, and each line can be watched as it comes.
/// </summary>
public sealed partial class ListeningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly int _keptLines;
    private readonly Action<string>? _onLine;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killed;

    private ListeningProcess(string name, Process process, int keptLines, Action<string>? onLine)
    {
        Name = name;
        _process = process;
        _keptLines = keptLines;
        _onLine = onLine;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public Uri Address { get; private set; } = null!;

    /// <summary>Killed by the test (set before the signal goes out, so a refused connection is never mistaken for a crash)
    /// or exited.</summary>
    public bool HasExited => _killed || _process.HasExited;

    /// <summary>The exit code, once the process has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>
    /// How a service starts in its container: <paramref name="fileName"/> with <paramref name="arguments"/> in
    /// <paramref name="workingDirectory"/>, the inherited variables <paramref name="dropInherited"/> names removed,
    /// Production, port 0 on loopback, the pay endpoint open, then <paramref name="environment"/>.
    /// </summary>
    public static ProcessStartInfo InProduction(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, Func<string, bool> dropInherited)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(dropInherited).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        // invoice-app needs a pay key in Production unless told to run it open; a test that is about the key sets one.
        start.Environment["PayApi__AllowAnonymous"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return start;
    }

    /// <summary>Starts the process and returns once it listens; throws with its output when it exits first or is cancelled.</summary>
    public static async Task<ListeningProcess> StartAsync(string name, ProcessStartInfo start, int keptLines, Action<string>? onLine,
        CancellationToken cancellationToken)
    {
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ListeningProcess(name, process, keptLines, onLine);
        process.OutputDataReceived += (_, line) => service.Received(line.Data);
        process.ErrorDataReceived += (_, line) => service.Received(line.Data);
        process.Exited += (_, _) => service._listening.TrySetException(
            new InvalidOperationException($"{name} exited at start:\n{service.RecentOutput}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            service.Address = await service._listening.Task.WaitAsync(cancellationToken);
            return service;
        }
        catch (OperationCanceledException exception)
        {
            await service.DisposeAsync();
            throw new OperationCanceledException(
                $"{name} was not listening when its start was cut short:\n{service.RecentOutput}", exception, cancellationToken);
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
    /// own. Returns how long that took; throws with its output when it takes longer than <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}");
            }
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout} of SIGTERM:\n{RecentOutput}", exception);
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

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        _onLine?.Invoke(line);
        while (_output.Count > _keptLines && _output.TryDequeue(out _))
        {
        }
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningOn();
}
