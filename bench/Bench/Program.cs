using Bench;
using TestSupport;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args, Environment.GetEnvironmentVariable("TEST_POSTGRES"));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    Console.Error.WriteLine($"bench/run.sh: {e.Message}");
    return 1;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
if (!OperatingSystem.IsLinux() || !await Tool.ExistsAsync("wrk"))
{
    Console.Error.WriteLine("bench/run.sh: Linux only (it reads /proc); 'wrk' is required: apt-get install wrk");
    return 1;
}

var work = Directory.CreateTempSubdirectory("invoice-payments-bench.").FullName;
var publish = options.Reuse is null ? Path.Combine(work, "publish") : Path.GetFullPath(options.Reuse);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) =>
{
    press.Cancel = true;
    cancel.Cancel();
};
try
{
    using var benchmark = new Benchmark(options, RepositoryRoot.Path, work, publish);
    await benchmark.RunAsync(cancel.Token);
    return 0;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"bench/run.sh: {e.Message}");
    return 1;
}
finally
{
    if (options.Keep)
    {
        Console.Error.WriteLine($"# kept {work}");
    }
    else
    {
        Directory.Delete(work, recursive: true);
    }
}
