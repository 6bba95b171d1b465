using System.Text.RegularExpressions;

namespace Bench;

/// <summary>
/// The environment a Kubernetes overlay's ConfigMap gives a service
/// (<c>deploy/&lt;namespace&gt;/kustomization.yaml</c>), without what the benchmark sets itself: addresses, ports,
/// the databases, the pay rate limit and the OTLP exporter.
/// </summary>
public static partial class OverlaySettings
{
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string kustomization)
    {
        var settings = new List<KeyValuePair<string, string>>();
        foreach (var line in kustomization.Split('\n'))
        {
            var match = Literal().Match(line.TrimEnd('\r'));
            if (match.Success && !SetByTheRun().IsMatch($"{match.Groups[1].Value}={match.Groups[2].Value}"))
            {
                settings.Add(KeyValuePair.Create(match.Groups[1].Value, match.Groups[2].Value));
            }
        }
        return settings;
    }

    [GeneratedRegex("^  - ([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex Literal();

    [GeneratedRegex(
        "^(ASPNETCORE_URLS|HTTP_PORTS|services__|[A-Z_]+_HTTP=|[A-Z]+DB_|PayApi__RateLimit__|OTEL_EXPORTER_)")]
    private static partial Regex SetByTheRun();
}
