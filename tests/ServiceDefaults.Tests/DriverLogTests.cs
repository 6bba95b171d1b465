using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace ServiceDefaults.Tests;

/// <summary>
/// On PostgreSQL (the cluster's store) Npgsql logs every command it runs at Information. A service must not: at the
/// services' rate that is a line per statement in the pod's log and in the OTLP log export, and it cost a quarter
/// of GET /invoices' time in a profile. The driver's warnings and errors still get through.
/// </summary>
public sealed class DriverLogTests
{
    [Theory]
    [InlineData(BothServices.InvoiceApp, "invoicesdb", "/invoices")]
    [InlineData(BothServices.PaymentProvider, "paymentsdb", "/payments")]
    public async Task On_postgresql_a_request_writes_no_log_line_per_sql_command(string service, string connectionName, string path)
    {
        await using var db = TestDatabase.Create(TestDatabase.Postgres, "driverlogs");
        using var services = new BothServices();
        var logs = new CapturingLoggerProvider();
        using var client = services[service].CreateClientWith([($"ConnectionStrings:{connectionName}", db.ConnectionString)],
            collection => collection.AddSingleton<ILoggerProvider>(logs));

        for (var request = 0; request < 3; request++)
        {
            (await client.GetAsync(path, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        }

        Assert.Contains(logs.Entries, entry => entry.Category.StartsWith("Microsoft.Hosting", StringComparison.Ordinal));
        var driverLines = logs.Entries.Where(entry => entry.Category.StartsWith("Npgsql",
            StringComparison.Ordinal) && entry.Level < LogLevel.Warning).ToList();
        Assert.True(driverLines.Count == 0, $"{driverLines.Count} Npgsql lines below Warning, the first: {driverLines.FirstOrDefault()}");
    }
}
