using Bench;

namespace Bench.Tests;

public sealed class ReportTests
{
    [Fact]
    public void A_store_table_has_a_column_per_build_and_a_dash_where_a_figure_is_missing()
    {
        var aot = new CombinationResult
        {
            Invoices = new WrkResult(16480.4, 1.234, 9.876, 0),
            Replay = new WrkResult(900, 0.5, 2, 12),
            Pay = PayResult.Of(10_000, TimeSpan.FromSeconds(4), [202, 200, 202]),
            Idle = new ResidentMemory(61, 48),
        };

        var table = Report.StoreTable("SQLite (a file per service in a temporary folder)", ["aot", "jit"],
            build => build == "aot" ? aot : null, 10_000);

        Assert.Equal("""

            ### SQLite (a file per service in a temporary folder)

            | | AOT | JIT |
            |---|---|---|
            | GET /invoices (3 invoices) | 16,480 req/s, p50 1.23 ms, p99 9.88 ms | - |
            | POST /payments/pay, the same payment again | 900 req/s, p50 0.50 ms, p99 2.00 ms (12 errors) | - |
            | POST /payments/pay, new ids | - | - |
            | GET /liveness, invoice-app | - | - |
            | GET /liveness, payment-provider | - | - |
            | 10,000 seeded invoices paid by POST /invoices/pay | 2,500 invoices/s (4.000 s; calls: 1x200,2x202) | - |
            | resident memory idle, invoice-app / payment-provider | 61 MB / 48 MB | - |
            | resident memory after the wrk load | - | - |
            | resident memory after paying the seeded invoices | - | - |

            """.ReplaceLineEndings("\n"), table);
    }

    [Fact]
    public void The_start_up_table_gives_median_range_and_size_and_zeros_for_a_service_that_never_got_ready()
    {
        var table = Report.StartupTable(3, [
            new StartupRow("InvoiceApp", "aot", Startup.Of([120.4, 80.2, 100.6]), 31_457_280, "the single executable"),
            new StartupRow("PaymentProvider", "jit", null, 1_234,
                "the publish folder (needs the ASP.NET Core runtime)"),
        ]);

        Assert.Equal("""

            ### Start-up (exec to the first 200 of /readiness, SQLite, median of 3) and size

            | | start-up median (min-max) | size |
            |---|---|---|
            | InvoiceApp, AOT | 101 ms (80-120) | 31,457,280 bytes, the single executable |
            | PaymentProvider, JIT | 0 ms (0-0) | 1,234 bytes, the publish folder (needs the ASP.NET Core runtime) |

            """.ReplaceLineEndings("\n"), table);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(new Startup(150, 100, 400), Startup.Of([400, 100, 200, 100]));
    }

    [Fact]
    public void Resident_memory_is_read_from_proc_status_in_megabytes()
    {
        Assert.Equal(62, ResidentMemory.MegabytesOf("Name:\tInvoiceApp\nVmPeak:\t  300000 kB\nVmRSS:\t   63000 kB\n"));
    }
}
