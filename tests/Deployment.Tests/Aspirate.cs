using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// The real Aspirate, as the scripts find it: the executable <c>ASPIRATE</c> names, or the local tool of
/// <c>.config/dotnet-tools.json</c> after <c>dotnet tool restore</c>. A test that runs it calls <see cref="Need"/>:
/// without the tool (no internet, no ASPIRATE) it is skipped with the reason; under CI=true it fails.
/// </summary>
public static class Aspirate
{
    private static readonly Lazy<(bool Available, string Reason)> Availability = new(Find);

    public static void Need()
    {
        var (available, reason) = Availability.Value;
        Requirement.Need(available, reason);
    }

    private static (bool, string) Find()
    {
        var configured = Environment.GetEnvironmentVariable("ASPIRATE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // Named by ASPIRATE: dotnet tool restore is never called (it cannot install the tool where ASPIRATE is needed).
            var path = configured.Contains('/', StringComparison.Ordinal) ? configured : Requirement.FindOnPath(configured);
            return (path is not null && File.Exists(path), $"ASPIRATE='{configured}' is not an executable");
        }
        var restore = Processes.RunAsync("dotnet", ["tool", "restore"], timeout: TimeSpan.FromMinutes(3)).GetAwaiter().GetResult();
        var firstLine = $"{restore.Output}\n{restore.Error}"
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "";
        return (restore.ExitCode == 0,
            $"aspirate is not available: ASPIRATE is not set and 'dotnet tool restore' failed ({firstLine}); " +
            "set ASPIRATE to an aspirate 9.1.0 executable");
    }
}
