using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Faults.Tests;

/// <summary>One generated bad request and the service it goes to.</summary>
/// <param name="RejectedByKestrel">
/// Malformed at the HTTP level (a NUL in the request target): Kestrel answers 400 itself, before any application
/// code runs, and no middleware can give that answer a body.
/// </param>
public sealed record MalformedRequest(
    string Service,
    string Kind,
    HttpMethod Method,
    string PathAndQuery,
    byte[]? Body,
    string? ContentType,
    bool Chunked = false,
    bool RejectedByKestrel = false)
{
    public HttpRequestMessage ToMessage(Uri service)
    {
        var message = new HttpRequestMessage(Method, new Uri(service, PathAndQuery));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = ContentType is null ? null : MediaTypeHeaderValue.Parse(ContentType);
            message.Headers.TransferEncodingChunked = Chunked;
        }
        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 200)));
        return $"{Kind}: {Method} {Service}{PathAndQuery} [{ContentType}] {body}";
    }
}

/// <summary>
/// Generates requests that no correct client sends, from a seed so that a failure reproduces. None of them is a
/// valid payment or a valid pay call: whatever they do, they must change nothing.
/// </summary>
public static class MalformedRequests
{
    public const string Provider = "payment-provider";
    public const string Invoices = "invoice-app";

    private const string Json = "application/json";

    private static readonly string[] ControlCharacters =
        ["\u0000", "\u0001", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029"];

    public static IReadOnlyList<MalformedRequest> Generate(int seed, int count)
    {
        var random = new Random(seed);
        Func<Random, int, MalformedRequest>[] generators =
        [
            BrokenJson, WrongTypes, HugeNumbers, BadAmounts, BadIds, LoneSurrogates, InvalidUtf8, Oversized,
            WrongContentType, BadCurrency, NotAnObject, DeepNesting, BadPaymentLookups, UnknownRoutes, WrongMethods, WeirdQueries,
            RepeatedKeys, InexactAmounts, UnsafeIds,
        ];
        return [.. Enumerable.Range(0, count).Select(i => generators[i % generators.Length](random, i))];
    }

    private static MalformedRequest Pay(string kind, string body, string? contentType = Json) =>
        new(Provider, kind, HttpMethod.Post, "/payments/pay", Encoding.UTF8.GetBytes(body), contentType);

    private static string Id(int i) => $"BAD-{i}";

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static MalformedRequest BrokenJson(Random random, int i)
    {
        var valid = $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR"}""";
        return random.Next(4) switch
        {
            0 => Pay("broken json (truncated)", valid[..random.Next(valid.Length - 1)]),
            1 => Pay("broken json (garbage)",
                new string([.. Enumerable.Range(0, random.Next(1, 80)).Select(_ => (char)random.Next(32, 127))]) + "{"),
            2 => Pay("broken json (trailing comma)", valid.Replace("}", ",}", StringComparison.Ordinal)),
            _ => Pay("broken json (single quotes)", valid.Replace('"', '\'')),
        };
    }

    private static MalformedRequest WrongTypes(Random random, int i)
    {
        string[] ids = ["12", "true", "null", "[\"x\"]", "{\"a\":1}"];
        string[] values = ["\"12.15\"", "true", "null", "[12.15]", "{\"amount\":12.15}", "\"NaN\"", "\"Infinity\""];
        string[] currencies = ["978", "true", "[\"EUR\"]", "null"];
        return random.Next(3) switch
        {
            0 => Pay("wrong type: id", $$"""{"id":{{ids[random.Next(ids.Length)]}},"value":12.15,"currency":"EUR"}"""),
            1 => Pay("wrong type: value", $$"""{"id":"{{Id(i)}}","value":{{values[random.Next(values.Length)]}},"currency":"EUR"}"""),
            _ => Pay("wrong type: currency",
                $$"""{"id":"{{Id(i)}}","value":12.15,"currency":{{currencies[random.Next(currencies.Length)]}}}"""),
        };
    }

    private static MalformedRequest HugeNumbers(Random random, int i)
    {
        string[] values =
        [
            "1e400", "-1e400", "79228162514264337593543950336", "99999999999999999999999999999999999", "1000000000.01", "1e10", "1E+28",
            "123456789012345678901234567890.12",
        ];
        return Pay("huge number", $$"""{"id":"{{Id(i)}}","value":{{values[random.Next(values.Length)]}},"currency":"EUR"}""");
    }

    private static MalformedRequest BadAmounts(Random random, int i)
    {
        var negative = (-random.Next(1, 100000) / 100m).ToString(CultureInfo.InvariantCulture);
        var fractionalCent = (random.Next(1, 100000) / 1000m + 0.0001m).ToString(CultureInfo.InvariantCulture);
        string[] values = [negative, fractionalCent, "-0.01", "0.001", "12.151", "1e-5", "0", "-0", "0.00", "12.150000001"];
        return Pay("negative, zero or fractional-cent amount",
            $$"""{"id":"{{Id(i)}}","value":{{values[random.Next(values.Length)]}},"currency":"EUR"}""");
    }

    private static MalformedRequest BadIds(Random random, int i)
    {
        var id = random.Next(4) switch
        {
            0 => new string('x', random.Next(65, 4000)),
            1 => $"{Id(i)}{ControlCharacters[random.Next(ControlCharacters.Length)]}",
            2 => new string(' ', random.Next(0, 5)),
            _ => $"{ControlCharacters[random.Next(ControlCharacters.Length)]}{Id(i)}",
        };
        return Pay("long, blank or control-character id", $$"""{"id":{{Quote(id)}},"value":12.15,"currency":"EUR"}""");
    }

    private static MalformedRequest LoneSurrogates(Random random, int i)
    {
        string[] ids = ["\\ud800", $"{Id(i)}\\udc00", "\\udfff\\ud800", $"\\ud83d{Id(i)}"];
        return Pay("lone surrogate", $$"""{"id":"{{ids[random.Next(ids.Length)]}}","value":12.15,"currency":"EUR"}""");
    }

    private static MalformedRequest InvalidUtf8(Random random, int i)
    {
        byte[][] invalid = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf]];
        var body = new List<byte>();
        body.AddRange(Encoding.UTF8.GetBytes($$"""{"id":"{{Id(i)}}"""));
        body.AddRange(invalid[random.Next(invalid.Length)]);
        body.AddRange(Encoding.UTF8.GetBytes("\",\"value\":12.15,\"currency\":\"EUR\"}"));
        return new MalformedRequest(Provider, "invalid UTF-8", HttpMethod.Post, "/payments/pay", [.. body], Json);
    }

    private static MalformedRequest Oversized(Random random, int i)
    {
        var padding = new string('a', random.Next(16 * 1024, 256 * 1024));
        var body = Encoding.UTF8.GetBytes($$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR","padding":"{{padding}}"}""");
        return new MalformedRequest(Provider, "oversized body", HttpMethod.Post, "/payments/pay", body, Json, Chunked: random.Next(2) == 0);
    }

    private static MalformedRequest WrongContentType(Random random, int i)
    {
        // A valid payment under a type that is not JSON: recording it would show in the data.
        string?[] types =
            ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png", null];
        var body = $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR"}""";
        return Pay("wrong content type", body, types[random.Next(types.Length)]);
    }

    private static MalformedRequest BadCurrency(Random random, int i)
    {
        string[] currencies = ["eur", "EURO", "EU", "E1R", "€€€", "", " EUR", "EUR\\u0000", "ÄBC"];
        return Pay("bad currency", $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"{{currencies[random.Next(currencies.Length)]}}"}""");
    }

    private static MalformedRequest NotAnObject(Random random, int i)
    {
        string[] bodies = ["[]", "\"payment\"", "123", "null", "true", "", " ", "{}", "[{\"id\":\"x\",\"value\":1,\"currency\":\"EUR\"}]"];
        return Pay("not a payment object", bodies[random.Next(bodies.Length)]);
    }

    private static MalformedRequest DeepNesting(Random random, int i)
    {
        var depth = random.Next(65, 2000);
        return Pay("deep nesting",
            $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR","x":{{new string('[', depth)}}{{new string(']', depth)}}}""");
    }

    /// <summary>A key sent twice, also in another case: a parser keeping the last one would record the other amount or id.</summary>
    private static MalformedRequest RepeatedKeys(Random random, int i)
    {
        string[] bodies =
        [
            $$"""{"id":"{{Id(i)}}","value":1.00,"value":1000.00,"currency":"EUR"}""",
            $$"""{"id":"{{Id(i)}}","ID":"{{Id(i)}}-2","value":12.15,"currency":"EUR"}""",
            $$"""{"id":"{{Id(i)}}","value":12.15,"Value":0.01,"currency":"EUR"}""",
            $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR","CURRENCY":"GBP"}""",
            $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR","\u0069d":"{{Id(i)}}-3"}""",
            $$"""{"id":"{{Id(i)}}","value":12.15,"currency":"EUR","note":1,"Note":2}""",
        ];
        return Pay("repeated key", bodies[random.Next(bodies.Length)]);
    }

    /// <summary>Amounts that decimal would round to whole cents, or written with an exponent.</summary>
    private static MalformedRequest InexactAmounts(Random random, int i)
    {
        string[] values =
        [
            "12.149999999999999999999999999999", "12.1500000000000000000000000000001", "0.0000000000000000000000000000001",
            "1.215e1", "1E2", "12.15E0", "1215e-2", "1e+2", "1.0e0", "5E-1",
        ];
        return Pay("inexact or exponent amount",
            $$"""{"id":"{{Id(i)}}","value":{{values[random.Next(values.Length)]}},"currency":"EUR"}""");
    }

    /// <summary>Ids that GET /payments/{id} could not find as sent, or that look like another id.</summary>
    private static MalformedRequest UnsafeIds(Random random, int i)
    {
        string[] ids =
        [
            ".", "..", $".{Id(i)}", $"{Id(i)}\u200B", $"\u200D{Id(i)}", $"\u202E{Id(i)}", $"{Id(i)}\u2066", $"\u0406{i}", $"\uFF29{i}",
            $"{Id(i)}\u00A0", $"BAD {i}", $"BAD/{i}", $"BAD\\{i}", $"BAD?{i}", $"BAD#{i}", $"BAD%2F{i}", $"\uD83D\uDCB6{i}", "\uFEFFBAD",
        ];
        return Pay("id outside the safe set", $$"""{"id":{{Quote(ids[random.Next(ids.Length)])}},"value":12.15,"currency":"EUR"}""");
    }

    private static MalformedRequest BadPaymentLookups(Random random, int i)
    {
        string[] ids =
        [
            new string('y', random.Next(65, 1500)), "%01", $"{Id(i)}%0A", "%ED%A0%80", "%FF%FE", "%C0%AF", "%00", "%E2%80%A8", "%20",
            $"{Id(i)}%E2%80%8B", $"%E2%80%AE{Id(i)}", $".{Id(i)}", "%D0%86", $"BAD%20{i}",
        ];
        var id = ids[random.Next(ids.Length)];
        return new MalformedRequest(
            Provider, "bad payment id in path", HttpMethod.Get, $"/payments/{id}", null, null, RejectedByKestrel: id == "%00");
    }

    private static MalformedRequest UnknownRoutes(Random random, int i)
    {
        var onProvider = random.Next(2) == 0;
        string[] paths = onProvider
            ? ["/payments/pay/now", "/pay", "/admin", $"/payments/{Id(i)}/refund", "/payments/a/b/c", "/.env", "/payments%2Fpay"]
            : [
                "/invoices/1", "/invoice", "/invoices/pay/now", "/admin", $"/invoices/{Id(i)}/pay", "/.git/config",
                "/invoices/%2E%2E/etc/passwd",
            ];
        return new MalformedRequest(
            onProvider ? Provider : Invoices, "unknown route", HttpMethod.Get, paths[random.Next(paths.Length)], null, null);
    }

    private static MalformedRequest WrongMethods(Random random, int i)
    {
        (string Service, HttpMethod Method, string Path)[] wrong =
        [
            (Provider, HttpMethod.Delete, "/payments/pay"), (Provider, HttpMethod.Put, "/payments/pay"),
            (Provider, HttpMethod.Patch, "/payments"), (Provider, HttpMethod.Delete, $"/payments/{Id(i)}"),
            (Provider, HttpMethod.Post, "/payments"), (Provider, HttpMethod.Options, "/payments/pay"),
            (Invoices, HttpMethod.Delete, "/invoices"), (Invoices, HttpMethod.Put, "/invoices/pay"),
            (Invoices, HttpMethod.Get, "/invoices/pay"), (Invoices, HttpMethod.Post, "/invoices"),
            (Invoices, HttpMethod.Patch, "/invoices/pay"), (Invoices, new HttpMethod("PURGE"), "/invoices"),
        ];
        var (service, method, path) = wrong[random.Next(wrong.Length)];
        var body = method == HttpMethod.Get || method == HttpMethod.Options ? null : Encoding.UTF8.GetBytes("{\"id\":\"x\"}");
        return new MalformedRequest(service, "wrong method", method, path, body, body is null ? null : Json);
    }

    private static MalformedRequest WeirdQueries(Random random, int i)
    {
        string[] queries =
        [
            "paid=maybe", "paid=", "paid=1", "paid=0", "paid=yes", "paid=null", "paid=%00", "paid=tru%C3%A9", "paid=%FF",
            "paid=true&paid=false", $"paid={new string('t', random.Next(10, 3000))}", "paid=%E2%80%A8", "paid=[true]", "paid={}",
        ];
        return new MalformedRequest(
            Invoices, "weird query string", HttpMethod.Get, $"/invoices?{queries[random.Next(queries.Length)]}", null, null);
    }
}
