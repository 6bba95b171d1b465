using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Bench;

/// <summary>One run: build, load each store and build, time the starts, print the tables.</summary>
public sealed class Benchmark(BenchOptions options, string repositoryRoot, string workDirectory, string publishRoot)
    : IDisposable
{
    private readonly string _logs = Directory.CreateDirectory(Path.Combine(workDirectory, "logs")).FullName;
    private readonly string _apiKey = $"bench-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(10) };
    private readonly Dictionary<(string Store, string Build), CombinationResult> _results = [];
    private OtlpSink? _sink;

    public void Dispose() => _http.Dispose();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var postgres = options.Postgres ?? await PostgresServer.FindLocalAsync();
        var stores = options.Stores.Count > 0 ? options.Stores : postgres is null ? ["sqlite"] : ["sqlite", "postgres"];
        if (stores.Contains("postgres") && postgres is null)
        {
            throw new ArgumentException(
                "--stores postgres needs TEST_POSTGRES, --postgres or a server on 127.0.0.1:5432");
        }
        await Machine.DescribeAsync(options, cancellationToken);
        var builds = new Builds(repositoryRoot, publishRoot, _logs);
        var made = await builds.PublishAsync(options.Builds, cancellationToken);
        Console.WriteLine($"Builds: {clock.Elapsed.TotalSeconds:F0} s");
        await using var sink = _sink = await OtlpSink.StartAsync(cancellationToken);
        Console.WriteLine($"Tracing: on, OTLP http/protobuf to a sink on {Text(sink.Address)} that discards it; "
            + $"sampler parentbased_traceidratio, ratio {options.Sampling}");
        DescribeSettings(builds);
        // The JIT build stands in when the AOT one asked for could not be built.
        var loaded = made.Where(options.Load.Contains).ToList();
        if (loaded.Count == 0 && made.Contains("jit"))
        {
            loaded.Add("jit");
        }
        foreach (var store in stores)
        {
            foreach (var build in loaded)
            {
                await RunCombinationAsync(store, build, builds, postgres, cancellationToken);
            }
            var title = store == "sqlite"
                ? "SQLite (a file per service in a temporary folder)"
                : $"PostgreSQL ({ConnectionStrings.Described(postgres!)}, a database per service and run)";
            Console.Write(Report.StoreTable(title, loaded, build => _results.GetValueOrDefault((store, build)),
                options.Invoices));
        }
        var startups = new List<StartupRow>();
        foreach (var build in made)
        {
            var measured = new Dictionary<string, Startup?>();
            foreach (var project in Builds.Projects)
            {
                measured[project] = await MeasureStartupAsync(builds, build, project, cancellationToken);
            }
            startups.AddRange(Builds.Projects.Reverse().Select(project =>
            {
                var (bytes, note) = builds.SizeOf(build, project);
                return new StartupRow(project, build, measured[project], bytes, note);
            }));
        }
        Console.Write(Report.StartupTable(options.Starts, startups));
        Console.WriteLine();
        Console.WriteLine($"Whole run: {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>One store and one build: both services fresh, wrk, memory, then paying the seed end to end.</summary>
    private async Task RunCombinationAsync(string store, string build, Builds builds, string? postgres,
        CancellationToken cancellationToken)
    {
        var result = _results[(store, build)] = new CombinationResult();
        var data = Directory.CreateDirectory(Path.Combine(workDirectory, "data", $"{store}-{build}")).FullName;
        var stem = $"bench_{build}_{Environment.ProcessId}_{Random.Shared.Next(100_000)}";
        string[] databases = store == "sqlite" ? [] : [$"{stem}_invoices", $"{stem}_seeded", $"{stem}_payments"];
        string ConnectionString(string name, int index) => store == "sqlite"
            ? $"Data Source={Path.Combine(data, $"{name}.db")}"
            : ConnectionStrings.WithDatabase(postgres!, databases[index]);
        var calls = new PayCalls(_http, _apiKey);
        try
        {
            Console.Error.WriteLine($"# {store}, {build}: starting the services");
            await using var provider = await StartAsync(builds, build, "PaymentProvider", $"{store}-{build}-provider",
                new() { ["ConnectionStrings__paymentsdb"] = ConnectionString("payments", 2) }, cancellationToken);
            var invoiceSettings = new Dictionary<string, string>
            {
                ["services__payment-provider__http__0"] = Text(provider.Address),
                ["PayApi__ApiKey"] = _apiKey,
                ["PayApi__RateLimit__PermitLimit"] = "1000000",
                ["PayApi__RateLimit__Window"] = "00:00:01",
            };
            await using (var invoice = await StartAsync(builds, build, "InvoiceApp", $"{store}-{build}-invoice",
                new(invoiceSettings) { ["ConnectionStrings__invoicesdb"] = ConnectionString("invoices", 0) },
                cancellationToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                result.Idle = new(invoice.ResidentMegabytes, provider.ResidentMegabytes);
                await calls.RecordReplayedPaymentAsync(provider.Address, cancellationToken);

                Console.Error.WriteLine($"# {store}, {build}: wrk");
                var wrk = new Wrk(options, Path.Combine(repositoryRoot, "bench"), Path.Combine(_logs, "wrk.log"));
                var pay = new Uri(provider.Address, "/payments/pay");
                result.Invoices =
                    await wrk.MeasureAsync(new Uri(invoice.Address, "/invoices"), null, cancellationToken);
                result.Replay = await wrk.MeasureAsync(pay, "replay.lua", cancellationToken);
                result.NewPayments = await wrk.MeasureAsync(pay, "new-payments.lua", cancellationToken);
                result.InvoiceAppLiveness =
                    await wrk.MeasureAsync(new Uri(invoice.Address, "/liveness"), null, cancellationToken);
                result.PaymentProviderLiveness =
                    await wrk.MeasureAsync(new Uri(provider.Address, "/liveness"), null, cancellationToken);
                result.AfterLoad = new(invoice.ResidentMegabytes, provider.ResidentMegabytes);
            }

            Console.Error.WriteLine($"# {store}, {build}: paying {options.Invoices} seeded invoices");
            await using var seeded = await StartAsync(builds, build, "InvoiceApp", $"{store}-{build}-invoice-seeded",
                new(invoiceSettings)
                {
                    ["ConnectionStrings__invoicesdb"] = ConnectionString("seeded-invoices", 1),
                    ["Payments__SeedDemoInvoices"] = "false",
                    ["Seed__UnpaidInvoices"] = options.Invoices.ToString(CultureInfo.InvariantCulture),
                },
                cancellationToken);
            result.Pay = await calls.PaySeededAsync(seeded.Address, options.Invoices, cancellationToken);
            result.AfterPay = new(seeded.ResidentMegabytes, provider.ResidentMegabytes);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or NpgsqlException)
        {
            Console.Error.WriteLine(
                $"{store}, {build}: the run failed (logs in {_logs}; --keep keeps them): {e.Message}");
        }
        finally
        {
            if (databases.Length > 0)
            {
                await PostgresServer.DropAsync(postgres!, databases);
            }
        }
    }

    private async Task<Service> StartAsync(Builds builds, string build, string project, string log,
        Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var environment = Overlay(project).ToDictionary();
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = Text(_sink!.Address);
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        environment["OTEL_SERVICE_NAME"] = project == "InvoiceApp" ? "invoice-app" : "payment-provider";
        environment["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
        environment["OTEL_TRACES_SAMPLER_ARG"] = options.Sampling;
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return await Service.StartAsync(builds.Folder(build, project), project, build == "aot", environment,
            Path.Combine(_logs, $"{log}.log"), _http, cancellationToken);
    }

    /// <summary>Exec to the first 200 of /readiness, on SQLite; null when a start failed.</summary>
    private async Task<Startup?> MeasureStartupAsync(Builds builds, string build, string project,
        CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"# start-up: {project} ({build}) x {options.Starts}");
        var name = $"startup-{build}-{project}";
        var data = Directory.CreateDirectory(Path.Combine(workDirectory, "data", name)).FullName;
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__paymentsdb"] = $"Data Source={Path.Combine(data, "payments.db")}",
            ["ConnectionStrings__invoicesdb"] = $"Data Source={Path.Combine(data, "invoices.db")}",
            ["services__payment-provider__http__0"] = "http://127.0.0.1:9",
        };
        var times = new List<double>();
        try
        {
            for (var i = 0; i < options.Starts; i++)
            {
                var clock = Stopwatch.StartNew();
                await using var service = await StartAsync(builds, build, project, name, settings, cancellationToken);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
        return Startup.Of(times);
    }

    private void DescribeSettings(Builds builds)
    {
        static string Line(IEnumerable<KeyValuePair<string, string>> settings) =>
            string.Concat(settings.Select(setting => $"{setting.Key}={setting.Value} "));
        Console.WriteLine($"Settings: Production; overlay environment: {Line(Overlay("InvoiceApp"))}");
        Console.WriteLine($"  (payment-provider: {Line(Overlay("PaymentProvider"))})");
        Console.WriteLine("  POST /invoices/pay with PayApi__ApiKey (bearer) and "
            + "PayApi__RateLimit__PermitLimit=1000000 per 1 s window, so the limit never throttles");
        var config = Path.Combine(builds.Folder("jit", "InvoiceApp"), "InvoiceApp.runtimeconfig.json");
        if (File.Exists(config))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            var gc = properties.EnumerateObject()
                .Where(property => property.Name.StartsWith("System.GC.", StringComparison.Ordinal))
                .Select(property => $"{property.Name}: {property.Value.GetRawText()} ");
            Console.WriteLine($"  GC (runtimeconfig of the build): {string.Concat(gc)}");
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> Overlay(string project)
    {
        var overlay = project == "InvoiceApp" ? "invoices" : "payments";
        var file = Path.Combine(repositoryRoot, "deploy", overlay, "kustomization.yaml");
        return File.Exists(file) ? OverlaySettings.Read(File.ReadAllText(file)) : [];
    }

    private static string Text(Uri address) => address.ToString().TrimEnd('/');
}
