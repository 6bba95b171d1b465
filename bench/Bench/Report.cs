using System.Globalization;
using System.Text;

namespace Bench;

/// <summary>The run's Markdown tables, as the README and docs/performance.md quote them.</summary>
public static class Report
{
    public static string StoreTable(string title, IReadOnlyList<string> builds,
        Func<string, CombinationResult?> resultOf, int invoices)
    {
        var results = builds.Select(build => resultOf(build) ?? new CombinationResult()).ToArray();
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture, $"\n### {title}\n\n");
        Row(table, "", builds.Select(build => build.ToUpperInvariant()));
        Rule(table, builds.Count);
        Row(table, "GET /invoices (3 invoices)", results.Select(r => Rate(r.Invoices)));
        Row(table, "POST /payments/pay, the same payment again", results.Select(r => Rate(r.Replay)));
        Row(table, "POST /payments/pay, new ids", results.Select(r => Rate(r.NewPayments)));
        Row(table, "GET /liveness, invoice-app", results.Select(r => Rate(r.InvoiceAppLiveness)));
        Row(table, "GET /liveness, payment-provider", results.Select(r => Rate(r.PaymentProviderLiveness)));
        Row(table, $"{Thousands(invoices)} seeded invoices paid by POST /invoices/pay",
            results.Select(r => Paid(r.Pay)));
        Row(table, "resident memory idle, invoice-app / payment-provider", results.Select(r => Memory(r.Idle)));
        Row(table, "resident memory after the wrk load", results.Select(r => Memory(r.AfterLoad)));
        Row(table, "resident memory after paying the seeded invoices", results.Select(r => Memory(r.AfterPay)));
        return table.ToString();
    }

    public static string StartupTable(int starts, IReadOnlyList<StartupRow> rows)
    {
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture,
            $"\n### Start-up (exec to the first 200 of /readiness, SQLite, median of {starts}) and size\n\n");
        Row(table, "", ["start-up median (min-max)", "size"]);
        Rule(table, 2);
        foreach (var row in rows)
        {
            var startup = row.Startup ?? new Startup(0, 0, 0);
            Row(table, $"{row.Project}, {row.Build.ToUpperInvariant()}", [
                string.Create(CultureInfo.InvariantCulture,
                    $"{startup.MedianMilliseconds:F0} ms ({startup.MinMilliseconds:F0}-{startup.MaxMilliseconds:F0})"),
                $"{Thousands(row.SizeBytes)} bytes, {row.SizeNote}",
            ]);
        }
        return table.ToString();
    }

    public static string Thousands(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Rate(WrkResult? result) => result is null
        ? "-"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Thousands(result.RequestsPerSecond)} req/s, p50 {result.P50Milliseconds:F2} ms, "
            + $"p99 {result.P99Milliseconds:F2} ms")
          + (result.Errors == 0 ? "" : $" ({result.Errors} errors)");

    private static string Paid(PayResult? pay) => pay is null
        ? "-"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Thousands(pay.InvoicesPerSecond)} invoices/s ({pay.Elapsed.TotalSeconds:F3} s; calls: {pay.Calls})");

    private static string Memory(ResidentMemory? memory) =>
        memory is null ? "-" : $"{memory.InvoiceAppMegabytes} MB / {memory.PaymentProviderMegabytes} MB";

    private static void Row(StringBuilder table, string label, IEnumerable<string> cells) =>
        table.Append(label.Length == 0 ? "| |" : $"| {label} |")
            .AppendJoin("", cells.Select(cell => $" {cell} |")).Append('\n');

    private static void Rule(StringBuilder table, int columns) =>
        table.Append("|---|").AppendJoin("", Enumerable.Repeat("---|", columns)).Append('\n');
}
