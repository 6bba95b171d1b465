using System.Globalization;
using System.Text.RegularExpressions;

namespace Bench;

/// <summary>The command line of <c>bench/run.sh</c>.</summary>
public sealed partial record BenchOptions
{
    public const string Usage = """
        Usage: bench/run.sh [options]

        Builds invoice-app and payment-provider in Release twice (JIT: dotnet publish; native AOT: dotnet publish -r
        linux-x64 -p:PublishAot=true; when AOT cannot be built here it says so and goes on with JIT), starts them on
        loopback as in their container (Production, their own ports, the provider's address as service discovery gives
        it, data in a temporary folder) and prints one table per store (SQLite always; PostgreSQL when TEST_POSTGRES is
        set or a server answers on 127.0.0.1:5432):
          - requests/s, p50 and p99 (wrk --latency) of GET /invoices, replays of one payment, new payments, and each
            service's /liveness as the server's own baseline;
          - end to end: N seeded unpaid invoices paid by POST /invoices/pay (repeated while it answers 202 or 502);
          - resident memory (VmRSS) of each service idle, after the load, and after paying;
        then the start-up time from exec to the first 200 of /readiness (median of --starts) for each build, and the
        sizes (AOT: the single executable; JIT: the publish folder). Run it from anywhere; it needs the .NET SDK and
        wrk. With the defaults it is sized to end by itself in under 10 minutes on an idle 2-core machine, most of
        that the AOT builds.

        Options:
          --duration SECONDS     length of each measured wrk run (default 5; the issue's figures used 8)
          --warmup SECONDS       unmeasured wrk run before each measured one (default 1)
          --threads N            wrk threads (default 2)
          --connections N        wrk connections (default 32)
          --invoices N           unpaid invoices seeded and paid end to end (default 10000)
          --starts N             starts per service and build for the start-up median (default 10)
          --builds LIST          aot,jit (default), aot or jit
          --load LIST            the builds put under wrk load and paying: aot (default; the JIT build when AOT could
                                 not be built), aot,jit or jit. Start-up and size are measured for every build.
          --stores LIST          sqlite,postgres (default: sqlite, and postgres when one is there), sqlite or postgres
          --postgres CONNECTION  PostgreSQL connection string (Npgsql keys; default TEST_POSTGRES, else
                                 Host=127.0.0.1;Port=5432;Username=postgres when a server answers there). Its user
                                 must be able to create databases: each run creates bench_* databases and drops them.
          --sampling RATIO       trace sampling ratio, parent-based (default 0.1); traces go to a local sink
          --reuse DIR            publish into DIR and reuse a build found there (a second run skips building;
                                 delete DIR after changing the code)
          --keep                 keep the temporary folder (data, logs; builds too unless --reuse)
          -h, --help             this text

        Tracing stays on as in production: OTLP over http/protobuf to a sink in the benchmark's own process that
        accepts and discards it, with OTEL_TRACES_SAMPLER=parentbased_traceidratio. POST /invoices/pay runs with an
        API key (PayApi__ApiKey, sent as a bearer token) and a rate limit raised for the run
        (PayApi__RateLimit__PermitLimit) so that it never throttles. Other settings come from the Kubernetes overlay's
        environment (deploy/<namespace>/kustomization.yaml), addresses and the rate limit excepted.
        """;

    public int Duration { get; init; } = 5;
    public int Warmup { get; init; } = 1;
    public int Threads { get; init; } = 2;
    public int Connections { get; init; } = 32;
    public int Invoices { get; init; } = 10_000;
    public int Starts { get; init; } = 10;
    public IReadOnlyList<string> Builds { get; init; } = ["aot", "jit"];
    public IReadOnlyList<string> Load { get; init; } = ["aot"];

    /// <summary>Empty: SQLite, and PostgreSQL when there is one.</summary>
    public IReadOnlyList<string> Stores { get; init; } = [];
    public string? Postgres { get; init; }
    public string Sampling { get; init; } = "0.1";
    public string? Reuse { get; init; }
    public bool Keep { get; init; }
    public bool Help { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with the message the user sees.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args, string? testPostgres)
    {
        var options = new BenchOptions { Postgres = string.IsNullOrEmpty(testPostgres) ? null : testPostgres };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--duration" => options with { Duration = Whole(Value()) },
                "--warmup" => options with { Warmup = Whole(Value()) },
                "--threads" => options with { Threads = Whole(Value()) },
                "--connections" => options with { Connections = Whole(Value()) },
                "--invoices" => options with { Invoices = Whole(Value()) },
                "--starts" => options with { Starts = Whole(Value()) },
                "--builds" => options with { Builds = List(Value(), "--builds", "aot", "jit") },
                "--load" => options with { Load = List(Value(), "--load", "aot", "jit") },
                "--stores" => options with { Stores = List(Value(), "--stores", "sqlite", "postgres") },
                "--postgres" => options with { Postgres = Value() },
                "--sampling" => options with { Sampling = Ratio(Value()) },
                "--reuse" => options with { Reuse = Value() },
                "--keep" => options with { Keep = true },
                "-h" or "--help" => options with { Help = true },
                var unknown => throw new ArgumentException($"unknown option: {unknown}"),
            };
        }
        if (options.Duration < 1 || options.Starts < 1 || options.Invoices < 1)
        {
            throw new ArgumentException("--duration, --starts and --invoices must be at least 1");
        }
        return options;
    }

    private static int Whole(string text) =>
        WholeNumber().IsMatch(text) && int.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"not a whole number: {text}");

    private static string Ratio(string text) =>
        RatioPattern().IsMatch(text)
            ? text
            : throw new ArgumentException($"--sampling must be a ratio from 0 to 1: {text}");

    private static string[] List(string text, string option, string first, string second)
    {
        var items = text.Split(',');
        var valid = items.All(item => item == first || item == second) && items.Distinct().Count() == items.Length;
        return valid
            ? items
            : throw new ArgumentException($"{option} must be {first},{second}, {first} or {second}: {text}");
    }

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^(0(\.[0-9]+)?|1(\.0+)?)$")]
    private static partial Regex RatioPattern();
}
