using System.Diagnostics;
using TestSupport;

namespace Bench;

/// <summary>A published service started as in its container, ready once <c>/readiness</c> answers 200.</summary>
public sealed class Service : IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(30);

    private readonly ListeningProcess _process;
    private readonly TextWriter _log;

    private Service(ListeningProcess process, TextWriter log)
    {
        _process = process;
        _log = log;
    }

    public Uri Address => _process.Address;

    public long ResidentMegabytes => ResidentMemory.MegabytesOf(File.ReadAllText($"/proc/{_process.Id}/status"));

    /// <param name="folder">The publish folder: the image's working directory.</param>
    /// <param name="native">The AOT build's single executable rather than <c>dotnet Project.dll</c>.</param>
    public static async Task<Service> StartAsync(string folder, string project, bool native,
        IReadOnlyDictionary<string, string> environment, string logFile, HttpClient http,
        CancellationToken cancellationToken)
    {
        var log = TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
        var (fileName, arguments) = native
            ? (Path.Combine(folder, project), Array.Empty<string>())
            : (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [$"{project}.dll"]);
        var start = ListeningProcess.InProduction(fileName, arguments, folder, environment,
            key => key is "HTTP_PORTS" or "HTTPS_PORTS");
        var process = await ListeningProcess.StartAsync(project, start, 20, log.WriteLine, cancellationToken);
        var service = new Service(process, log);
        try
        {
            await service.WaitReadyAsync(http, cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops it as the kubelet does: SIGTERM, then waiting for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.TerminateAsync(ExitWithin, CancellationToken.None);
            }
        }
        finally
        {
            await _process.DisposeAsync();
            await _log.DisposeAsync();
        }
    }

    private async Task WaitReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var readiness = new Uri(Address, "/readiness");
        while (true)
        {
            try
            {
                using var answer = await http.GetAsync(readiness, cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited || clock.Elapsed > ReadyWithin)
            {
                throw new InvalidOperationException(
                    $"{_process.Name} did not get ready; its output ends:\n{_process.RecentOutput}");
            }
            await Task.Delay(20, cancellationToken);
        }
    }
}
