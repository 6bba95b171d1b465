using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// What the cluster's Prometheus and log pipeline read, from the services as real processes started as the overlay
/// starts them: <c>/metrics</c> on the metrics port only, JSON log lines with trace and span ids, and every metric
/// and label value the rules of deploy/monitoring/rules read, scraped and evaluated by a real Prometheus.
/// </summary>
public sealed partial class MetricsAndLogsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Metrics_answer_only_on_the_metrics_port_and_the_api_only_on_its_own()
    {
        await using var system = await PaymentSystem.CreateAsync(TestDatabase.Sqlite, seed: 31, Cancel);
        var (api, metrics) = (FreePort(), FreePort());
        await system.StartProviderAsync(Cancel, Ports(api, metrics));
        using var http = new HttpClient();

        Assert.Equal(api, system.Provider.Address.Port);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Url(api, "/metrics"), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Url(metrics, "/payments"), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Url(metrics, "/health"), Cancel)).StatusCode);
        var scrape = await http.GetStringAsync(Url(metrics, "/metrics"), Cancel);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", scrape, StringComparison.Ordinal);
        Assert.Contains("health_ready{", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_console_lines_carry_the_trace_and_span_ids_of_their_request()
    {
        await using var system = await PaymentSystem.CreateAsync(TestDatabase.Sqlite, seed: 32, Cancel);
        await system.StartProviderAsync(Cancel, new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(system.Provider.Address, "/payments"), Cancel);

        string? Finished() => system.Provider.RecentOutput
            .Split('\n')
            .FirstOrDefault(l => l.Contains("Request finished", StringComparison.Ordinal));
        await Eventually.WaitUntilAsync(() => Finished() is not null);
        var line = Finished()!;
        using var json = JsonDocument.Parse(line);
        var scopes = json.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && TraceId().IsMatch(id.GetString()!));
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var id) && SpanId().IsMatch(id.GetString()!));
    }

    [Fact]
    public async Task Every_rule_reads_metrics_and_label_values_the_services_produce_and_each_sli_evaluates()
    {
        var prometheus = Requirement.NeedExecutable("prometheus", "apt-get install prometheus");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Timeout);
        var token = timeout.Token;
        await using var system = await PaymentSystem.CreateAsync(TestDatabase.Postgres, seed: 33, token);
        await system.SeedAsync(40, token);
        var (providerApi, providerMetrics, appApi, appMetrics) = (FreePort(), FreePort(), FreePort(), FreePort());
        await system.StartProviderAsync(token, Ports(providerApi, providerMetrics));
        var app = await system.StartInvoiceAppAsync(token, Ports(appApi, appMetrics));
        await using var server = await PrometheusServer.StartAsync(prometheus,
            new() { ["invoice-app"] = appMetrics, ["payment-provider"] = providerMetrics }, token);

        // Paid and failed payments (every attempt refused), then the failed ones in doubt (recorded, answer lost), over
        // several scrapes so that every rate sees its counters move.
        foreach (var plan in new[]
        {
            new FaultPlan(FailRate: 0.8, DropBeforeRate: 0, DropAfterRate: 0, DelayRate: 0, Delay: TimeSpan.Zero),
            new FaultPlan(FailRate: 0, DropBeforeRate: 0, DropAfterRate: 1, DelayRate: 0, Delay: TimeSpan.Zero),
            FaultPlan.Healthy,
        })
        {
            system.Proxy.Plan = plan;
            await system.PayOnceAsync(app, token);
            await system.InvoicesAsync(app, token);
            await Task.Delay(TimeSpan.FromSeconds(1.5), token);
        }

        using var http = new HttpClient();
        var scraped = Parse(await http.GetStringAsync(Url(appMetrics, "/metrics"), token))
            .Concat(Parse(await http.GetStringAsync(Url(providerMetrics, "/metrics"), token))).ToList();
        var missing = RuleSelectors().SelectMany(selector => Missing(selector, scraped)).Distinct().ToList();
        Assert.True(missing.Count == 0, $"the rules read what the services do not produce:\n{string.Join('\n', missing)}");

        var broken = await server.UnhealthyRulesAsync(token);
        Assert.True(broken.Count == 0, $"rules Prometheus could not evaluate:\n{string.Join('\n', broken)}");
        foreach (var sli in new[] { "slo:pay_errors:ratio_rate5m", "slo:payment_errors:ratio_rate5m", "slo:list_errors:ratio_rate5m" })
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                await system.InvoicesAsync(app, token);
                return await server.ValueAsync(sli, token) is { } value && !double.IsNaN(value);
            }, TimeSpan.FromSeconds(60));
        }
        Assert.True(
            await server.ValueAsync("slo:payment_errors:ratio_rate5m", token) > 0, "failures and payments in doubt count as errors");
        Assert.True(await server.ValueAsync("sum(invoices_payments_in_doubt_total)", token) > 0, "payments ended in doubt");
        // Within their lease they are not overdue yet: the gauges read 0, present from recovery's first round.
        Assert.Equal(0, await server.ValueAsync("max(invoices_in_doubt_overdue_seconds)", token));
    }

    private sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels);

    private sealed record Selector(string Name, IReadOnlyList<(string Label, string Op, string Value)> Matchers)
    {
        public override string ToString() => $"{Name}{{{string.Join(',', Matchers.Select(m => $"{m.Label}{m.Op}\"{m.Value}\""))}}}";
    }

    /// <summary>Every selector the rule files write: a metric name with its braces (the rules always write them).</summary>
    private static IEnumerable<Selector> RuleSelectors() =>
        Directory.GetFiles(RepositoryRoot.Combine("deploy", "monitoring", "rules"), "*.yaml")
            .SelectMany(file => SelectorPattern().Matches(File.ReadAllText(file)))
            .Select(match => new Selector(match.Groups[1].Value, [.. MatcherPattern().Matches(match.Groups[2].Value)
                .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value))]));

    /// <summary>
    /// The metric missing, or a matcher that selects a value no series has. <c>job</c> is Prometheus's label, <c>up</c>
    /// Prometheus's metric; negative matchers exclude, so they need no series.
    /// </summary>
    private static IEnumerable<string> Missing(Selector selector, IReadOnlyList<Series> scraped)
    {
        if (selector.Name == "up")
        {
            yield break;
        }
        var series = scraped.Where(s => s.Name == selector.Name).ToList();
        if (series.Count == 0)
        {
            yield return $"{selector}: no metric {selector.Name}";
            yield break;
        }
        foreach (var (label, op, value) in selector.Matchers.Where(m => m.Label != "job" && m.Op is "=" or "=~"))
        {
            var pattern = new Regex(op == "=" ? $"^{Regex.Escape(value)}$" : $"^(?:{value})$");
            if (!series.Any(s => s.Labels.TryGetValue(label, out var v) && pattern.IsMatch(v)))
            {
                yield return $"{selector}: no series with {label}{op}\"{value}\"";
            }
        }
    }

    private static IEnumerable<Series> Parse(string exposition) =>
        exposition.Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SeriesPattern().Match(line))
            .Where(match => match.Success)
            .Select(match => new Series(match.Groups[1].Value,
                MatcherPattern().Matches(match.Groups[2].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[3].Value)));

    private static Dictionary<string, string> Ports(int api, int metrics) => new()
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{api};http://127.0.0.1:{metrics}",
        ["Metrics__Port"] = metrics.ToString(CultureInfo.InvariantCulture),
    };

    private static Uri Url(int port, string path) => new($"http://127.0.0.1:{port}{path}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\{([^{}]*)\}")]
    private static partial Regex SelectorPattern();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex MatcherPattern();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s")]
    private static partial Regex SeriesPattern();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TraceId();

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex SpanId();
}
