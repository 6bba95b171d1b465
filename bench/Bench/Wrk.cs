using System.Globalization;

namespace Bench;

/// <summary>wrk, as every row of the store tables runs it: an unmeasured warm-up, then the measured run.</summary>
public sealed class Wrk(BenchOptions options, string scripts, string logFile)
{
    public async Task<WrkResult> MeasureAsync(Uri url, string? script, CancellationToken cancellationToken)
    {
        // The tag after "--" keeps the ids of new-payments.lua apart from run to run.
        string[] common = [$"-t{options.Threads}", $"-c{options.Connections}",
            .. script is null ? Array.Empty<string>() : ["-s", Path.Combine(scripts, script)]];
        if (options.Warmup > 0)
        {
            await Tool.RunAsync("wrk", [.. common, $"-d{options.Warmup}s", url.ToString(), "--", $"warmup-{Tag()}"],
                cancellationToken);
        }
        var (_, output) = await Tool.RunAsync("wrk",
            [.. common, $"-d{options.Duration}s", "--latency", url.ToString(), "--", $"run-{Tag()}"],
            cancellationToken);
        await File.AppendAllTextAsync(logFile, output, cancellationToken);
        return WrkResult.Parse(output);
    }

    private static string Tag() => Random.Shared.NextInt64().ToString("x", CultureInfo.InvariantCulture);
}
