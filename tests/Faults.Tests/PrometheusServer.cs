using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// A real Prometheus (Debian's binary) on loopback that scrapes the given metrics ports every second and evaluates
/// the repository's rule files every second, with its data in a throwaway folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _folder;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, DirectoryInfo folder, Uri address)
    {
        _process = process;
        _folder = folder;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <param name="targets">Job name to the metrics port on 127.0.0.1.</param>
    public static async Task<PrometheusServer> StartAsync(
        string prometheus, Dictionary<string, int> targets, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("invoice-payments-prometheus-");
        var rules = Directory.GetFiles(RepositoryRoot.Combine("deploy", "monitoring", "rules"), "*.yaml");
        var config = string.Join('\n',
        [
            "global: {scrape_interval: 1s, evaluation_interval: 1s}",
            "rule_files:", .. rules.Select(file => $"- '{file}'"),
            "scrape_configs:",
            .. targets.Select(t => $"- {{job_name: {t.Key}, static_configs: [{{targets: ['127.0.0.1:{t.Value}']}}]}}"),
        ]);
        var configFile = Path.Combine(folder.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config, cancellationToken);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = new ProcessStartInfo(prometheus,
        [
            $"--config.file={configFile}",
            $"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        // Drained, or a full pipe would stop it.
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port}"));
        await Eventually.WaitUntilAsync(async () => await server.AllTargetsUpAsync(targets.Count), TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>The rules Prometheus reports unhealthy, with their error.</summary>
    public async Task<IReadOnlyList<string>> UnhealthyRulesAsync(CancellationToken cancellationToken)
    {
        using var rules = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/rules", cancellationToken));
        return [.. rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Where(rule => rule.GetProperty("health").GetString() != "ok")
            .Select(rule => $"{rule.GetProperty("name").GetString()}: {rule.GetProperty("lastError").GetString()}")];
    }

    /// <summary>The value of an expression that yields one series; null when it yields none.</summary>
    public async Task<double?> ValueAsync(string expression, CancellationToken cancellationToken)
    {
        var query = $"/api/v1/query?query={Uri.EscapeDataString(expression)}";
        using var answer = JsonDocument.Parse(await _http.GetStringAsync(query, cancellationToken));
        var result = answer.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private async Task<bool> AllTargetsUpAsync(int count)
    {
        try
        {
            using var targets = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/targets"));
            return targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Count(target => target.GetProperty("health").GetString() == "up") == count;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
        _folder.Delete(recursive: true);
    }
}
