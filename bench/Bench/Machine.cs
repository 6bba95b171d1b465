using System.Globalization;

namespace Bench;

/// <summary>The lines that say where the figures come from: the machine, the tools and the load.</summary>
public static class Machine
{
    public static async Task DescribeAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var cpu = Line("/proc/cpuinfo", "model name")?.Split(": ", 2)[1] ?? "unknown CPU";
        var memory = Line("/proc/meminfo", "MemTotal")!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var gibibytes = double.Parse(memory, CultureInfo.InvariantCulture) / 1_048_576;
        var kernel = (await Tool.RunAsync("uname", ["-sr"], cancellationToken)).Output.Trim();
        var sdk = (await Tool.RunAsync("dotnet", ["--version"], cancellationToken)).Output.Trim();
        var wrk = string.Join(' ',
            (await Tool.RunAsync("wrk", ["--version"], cancellationToken)).Output.Split('\n')[0].Split(' ').Take(2));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} cores ({cpu}), {gibibytes:F0} GiB RAM, {kernel}; "
            + $".NET SDK {sdk}; {wrk}"));
        Console.WriteLine($"Load: wrk -t{options.Threads} -c{options.Connections} -d{options.Duration}s --latency "
            + $"after a {options.Warmup}s warm-up, on the same cores as the services");
    }

    private static string? Line(string file, string key) =>
        File.ReadLines(file).FirstOrDefault(line => line.StartsWith(key, StringComparison.Ordinal));
}
