using System.Diagnostics;
using TestSupport;

namespace Deployment.Tests;

public sealed record ProcessRun(int ExitCode, string Output, string Error);

/// <summary>
/// Runs a command from the repository root to completion within a time limit, killing it (and its children) when it overstays.
/// </summary>
public static class Processes
{
    public static async Task<ProcessRun> RunAsync(
        string file,
        IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout ?? TimeSpan.FromMinutes(1), cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"'{file} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout ?? TimeSpan.FromMinutes(1)}", exception);
        }
        return new ProcessRun(process.ExitCode, await output, await error);
    }

    /// <summary>The configuration this test assembly was built in (…/bin/Debug/net10.0/), and with it the AppHost.</summary>
    public static string BuildConfiguration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>
    /// The scripts publish the AppHost's manifest with <c>dotnet run</c>. Built in Debug (what <c>dotnet test</c>
    /// builds by default) they use that build as it is (<c>--no-build</c>) instead of rebuilding it under
    /// the feet of tests that run it.
    /// </summary>
    public static string[] NoBuildOption => BuildConfiguration == "Debug" ? ["--no-build"] : [];
}
