using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace InvoiceApp.Tests;

/// <summary>Seed:UnpaidInvoices, the benchmark's data: off by default; when set, N unpaid invoices with fixed ids, once.</summary>
public sealed class SeedTests : IDisposable
{
    private readonly InvoiceAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<JsonElement[]> InvoicesAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/invoices{query}", Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.EnumerateArray()];
    }

    private static string Id(JsonElement invoice) => invoice.GetProperty("InvoiceId").GetString()!;

    [Fact]
    public async Task Without_the_setting_nothing_is_seeded_beyond_the_three_original_invoices()
    {
        using var client = _factory.CreateClient();

        var invoices = await InvoicesAsync(client);

        Assert.Equal(["I1", "I2", "I3"], invoices.Select(Id));
    }

    [Fact]
    public async Task With_the_setting_N_unpaid_invoices_with_fixed_ids_are_added_once_and_a_restart_unpays_none()
    {
        const int Count = 250;
        using (var seeded = _factory.WithWebHostBuilder(builder => builder.UseSetting("Seed:UnpaidInvoices", $"{Count}")))
        {
            using var client = seeded.CreateClient();

            var unpaid = (await InvoicesAsync(client, "?paid=false")).Where(i => Id(i).StartsWith("seed-", StringComparison.Ordinal)).ToList();

            Assert.Equal(Enumerable.Range(1, Count).Select(n => $"seed-{n}").Order(StringComparer.Ordinal), unpaid.Select(Id).Order(StringComparer.Ordinal));
            Assert.All(unpaid, invoice =>
            {
                Assert.Equal(10.00m, invoice.GetProperty("Value").GetDecimal());
                Assert.Equal("EUR", invoice.GetProperty("Currency").GetString());
                Assert.False(invoice.GetProperty("IsPaid").GetBoolean());
                Assert.Equal("unpaid", invoice.GetProperty("PaymentState").GetString());
            });

            var pay = await client.PostAsync("/invoices/pay", null, Cancel);
            Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        }

        // A second start on the same file, with a larger N: only the missing ids are added, the paid ones stay paid.
        using var restarted = _factory.WithWebHostBuilder(builder => builder.UseSetting("Seed:UnpaidInvoices", $"{Count + 5}"));
        using var again = restarted.CreateClient();
        var all = await InvoicesAsync(again);

        Assert.Equal(Count + 5 + 3, all.Length);
        Assert.Equal(Enumerable.Range(Count + 1, 5).Select(n => $"seed-{n}"),
            (await InvoicesAsync(again, "?paid=false")).Select(Id).Order(StringComparer.Ordinal));
    }
}
