using Bench;

namespace Bench.Tests;

public sealed class WrkResultTests
{
    private const string Output = """
        Running 2s test @ http://127.0.0.1:40123/invoices
          2 threads and 32 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     2.10ms    1.05ms  20.31ms   80.12%
            Req/Sec     7.70k   512.33     8.60k    70.00%
          Latency Distribution
             50%  812.00us
             75%    2.51ms
             90%    3.22ms
             99%    1.20s
          30652 requests in 2.00s, 5.12MB read
          Socket errors: connect 0, read 3, write 1, timeout 2
          Non-2xx or 3xx responses: 7
        Requests/sec:  15321.77
        Transfer/sec:      2.56MB
        """;

    [Fact]
    public void Reads_requests_per_second_and_the_percentiles_in_milliseconds_whatever_unit_wrk_chose()
    {
        var result = WrkResult.Parse(Output);

        Assert.Equal(15321.77, result.RequestsPerSecond, 2);
        Assert.Equal(0.812, result.P50Milliseconds, 3);
        Assert.Equal(1200, result.P99Milliseconds, 3);
    }

    [Fact]
    public void Counts_answers_other_than_2xx_and_every_kind_of_socket_error()
    {
        Assert.Equal(7 + 3 + 1 + 2, WrkResult.Parse(Output).Errors);
    }

    [Fact]
    public void Output_without_figures_reads_as_zeros_not_as_an_error()
    {
        Assert.Equal(new WrkResult(0, 0, 0, 0),
            WrkResult.Parse("unable to connect to 127.0.0.1:1 Connection refused\n"));
    }
}
