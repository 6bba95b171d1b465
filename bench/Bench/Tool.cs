using System.Diagnostics;
using System.Text;

namespace Bench;

/// <summary>Runs a command line tool (dotnet, wrk, uname) and collects what it wrote.</summary>
public static class Tool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = new StringBuilder();
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        output.Append(await process.StandardOutput.ReadToEndAsync(cancellationToken));
        output.Append(await error);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.ToString());
    }

    public static async Task<bool> ExistsAsync(string fileName)
    {
        try
        {
            await RunAsync(fileName, ["--version"], CancellationToken.None);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
