using System.Globalization;
using System.Text.RegularExpressions;

namespace Bench;

/// <summary>One measured wrk run: requests/s, median and 99th percentile latency, and the failed requests.</summary>
public sealed partial record WrkResult(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds,
    long Errors)
{
    /// <summary>Reads wrk's text output (with <c>--latency</c>); a figure wrk did not print is 0.</summary>
    public static WrkResult Parse(string output)
    {
        double rps = 0, p50 = 0, p99 = 0;
        long errors = 0;
        foreach (var line in output.Split('\n').Select(line => line.Trim()))
        {
            if (line.StartsWith("Requests/sec:", StringComparison.Ordinal))
            {
                rps = Number(line["Requests/sec:".Length..].Trim());
            }
            else if (Percentile().Match(line) is { Success: true } percentile)
            {
                var value = Milliseconds(percentile.Groups[2].Value, percentile.Groups[3].Value);
                if (percentile.Groups[1].Value == "50")
                {
                    p50 = value;
                }
                else if (percentile.Groups[1].Value == "99")
                {
                    p99 = value;
                }
            }
            else if (line.StartsWith("Non-2xx or 3xx responses:", StringComparison.Ordinal))
            {
                errors += long.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Socket errors:", StringComparison.Ordinal))
            {
                errors += SocketError().Matches(line)
                    .Sum(match => long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }
        return new WrkResult(rps, p50, p99, errors);
    }

    private static double Milliseconds(string value, string unit) => unit switch
    {
        "us" => Number(value) / 1000,
        "ms" => Number(value),
        "s" => Number(value) * 1000,
        "m" => Number(value) * 60_000,
        _ => throw new FormatException($"wrk printed a latency in '{unit}'"),
    };

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d+)%\s+([0-9.]+)(us|ms|s|m)$")]
    private static partial Regex Percentile();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketError();
}
