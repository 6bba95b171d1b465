using Bench;

namespace Bench.Tests;

public sealed class BenchOptionsTests
{
    [Fact]
    public void Without_options_it_loads_the_AOT_build_of_both_builds_and_finds_PostgreSQL_in_TEST_POSTGRES()
    {
        var options = BenchOptions.Parse([], "Host=db");

        Assert.Equal((5, 1, 2, 32, 10_000, 10), (options.Duration, options.Warmup, options.Threads, options.Connections,
            options.Invoices, options.Starts));
        Assert.Equal(["aot", "jit"], options.Builds);
        Assert.Equal(["aot"], options.Load);
        Assert.Empty(options.Stores);
        Assert.Equal("Host=db", options.Postgres);
        Assert.Equal("0.1", options.Sampling);
    }

    [Fact]
    public void Each_option_sets_its_value()
    {
        var options = BenchOptions.Parse(["--duration", "2", "--builds", "jit", "--load", "aot,jit",
            "--stores", "sqlite", "--starts", "3", "--invoices", "300", "--sampling", "1", "--reuse", "builds",
            "--keep", "--postgres", "Host=x"], null);

        Assert.Equal((2, 3, 300, "1", "builds", true, "Host=x"), (options.Duration, options.Starts, options.Invoices,
            options.Sampling, options.Reuse, options.Keep, options.Postgres));
        Assert.Equal(["jit"], options.Builds);
        Assert.Equal(["aot", "jit"], options.Load);
        Assert.Equal(["sqlite"], options.Stores);
    }

    [Fact]
    public void A_wrong_value_is_refused_with_what_is_wrong()
    {
        (string[] Args, string Message)[] wrong =
        [
            (["--duration", "0"], "at least 1"),
            (["--threads", "two"], "not a whole number: two"),
            (["--sampling", "1.5"], "--sampling must be a ratio from 0 to 1: 1.5"),
            (["--builds", "aot,aot"], "--builds must be aot,jit, aot or jit: aot,aot"),
            (["--stores", "mysql"], "--stores must be sqlite,postgres, sqlite or postgres: mysql"),
            (["--frobnicate"], "unknown option: --frobnicate"),
            (["--invoices"], "--invoices needs a value"),
        ];

        Assert.All(wrong, pair =>
            Assert.Contains(pair.Message,
                Assert.Throws<ArgumentException>(() => BenchOptions.Parse(pair.Args, null)).Message,
                StringComparison.Ordinal));
    }
}
