using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Dashboard.Tests;

/// <summary>One span as the dashboard's telemetry API returns it (OTLP JSON), with the resource that sent it.</summary>
public sealed record ReceivedSpan(
    string Resource, string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Tags, int StatusCode, string? StatusMessage)
{
    /// <summary>OTLP's SpanKind numbers.</summary>
    public const int Internal = 1, Server = 2, Client = 3;

    /// <summary>OTLP's StatusCode for a span that failed.</summary>
    public const int Error = 2;

    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}

/// <summary>One structured log record from the telemetry API.</summary>
public sealed record ReceivedLog(
    string Resource, string? TraceId, string? SpanId, string Message, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// Reads the dashboard's telemetry HTTP API (<c>/api/telemetry/spans</c>, <c>/logs</c>): what the dashboard received
/// over OTLP from the services, not what they were configured to send.
/// </summary>
public sealed class TelemetryApi(HttpClient dashboard)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the services may take to export what a test waits for.</summary>
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(45);

    /// <summary>Every span received, once <paramref name="done"/> holds or the wait is over (the asserts say what is missing).</summary>
    public Task<IReadOnlyList<ReceivedSpan>> SpansWhenAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done) =>
        PollAsync(SpansAsync, done, ExportTimeout, TestContext.Current.CancellationToken);

    /// <summary>The logs of one trace, once <paramref name="done"/> holds of them or the wait is over.</summary>
    public Task<IReadOnlyList<ReceivedLog>> LogsWhenAsync(string traceId, Func<IReadOnlyList<ReceivedLog>, bool> done) =>
        PollAsync(token => LogsAsync(traceId, token), done, ExportTimeout, TestContext.Current.CancellationToken);

    public async Task<IReadOnlyList<ReceivedSpan>> SpansAsync(CancellationToken cancellationToken)
    {
        var answer = await dashboard.GetFromJsonAsync<JsonObject>("/api/telemetry/spans?limit=10000", cancellationToken);
        return [.. ResourceItems(answer, "resourceSpans", "scopeSpans", "spans").Select(item => ToSpan(item.Resource, item.Item))];
    }

    public async Task<IReadOnlyList<ReceivedLog>> LogsAsync(string traceId, CancellationToken cancellationToken)
    {
        var answer = await dashboard.GetFromJsonAsync<JsonObject>($"/api/telemetry/logs?traceId={traceId}&limit=10000", cancellationToken);
        return [.. ResourceItems(answer, "resourceLogs", "scopeLogs", "logRecords").Select(item => ToLog(item.Resource, item.Item))];
    }

    /// <summary>
    /// Asks again until <paramref name="done"/> holds or <paramref name="timeout"/> has passed, then returns the last
    /// answer for the test to assert on: services export in batches, every second or so.
    /// </summary>
    public static async Task<T> PollAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> done, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read(cancellationToken);
            if (done(value) || waited.Elapsed > timeout)
            {
                return value;
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static IEnumerable<(string Resource, JsonObject Item)> ResourceItems(JsonObject? answer, string resources, string scopes,
        string items) =>
        from resource in answer?["data"]?[resources]?.AsArray() ?? []
        let name = Attributes(resource!["resource"]?["attributes"]).GetValueOrDefault("service.name", "")
        from scope in resource![scopes]?.AsArray() ?? []
        from item in scope![items]?.AsArray() ?? []
        select (name, item!.AsObject());

    private static ReceivedSpan ToSpan(string resource, JsonObject span) => new(
        resource,
        (string)span["traceId"]!,
        (string)span["spanId"]!,
        NullIfEmpty((string?)span["parentSpanId"]),
        (string)span["name"]!,
        (int)span["kind"]!,
        Attributes(span["attributes"]),
        (int?)span["status"]?["code"] ?? 0,
        NullIfEmpty((string?)span["status"]?["message"]));

    private static ReceivedLog ToLog(string resource, JsonObject log) => new(
        resource,
        NullIfEmpty((string?)log["traceId"]),
        NullIfEmpty((string?)log["spanId"]),
        Value(log["body"]) ?? "",
        Attributes(log["attributes"]));

    private static Dictionary<string, string> Attributes(JsonNode? attributes) =>
        (attributes?.AsArray() ?? [])
            .Select(attribute => (Key: (string)attribute!["key"]!, Value: Value(attribute["value"])))
            .Where(attribute => attribute.Value is not null)
            .GroupBy(attribute => attribute.Key)
            .ToDictionary(group => group.Key, group => group.First().Value!);

    /// <summary>An OTLP AnyValue as text; int64 arrives as a JSON string, as OTLP JSON requires.</summary>
    private static string? Value(JsonNode? anyValue) =>
        anyValue?["stringValue"]?.ToString()
        ?? anyValue?["intValue"]?.ToString()
        ?? (anyValue?["doubleValue"] is { } number ? ((double)number).ToString(CultureInfo.InvariantCulture) : null)
        ?? anyValue?["boolValue"]?.ToString();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
