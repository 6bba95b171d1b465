using System.Net;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>Seed:UnpaidInvoices, the benchmark's data: off by default; when set, N unpaid invoices with fixed ids, once.</summary>
public sealed class SeedTests : IDisposable
{
    private readonly InvoiceAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Without_the_setting_nothing_is_seeded_beyond_the_three_original_invoices()
    {
        using var client = _factory.CreateClient();

        var invoices = await client.GetJsonAsync("/invoices");

        Assert.Equal(["I1", "I2", "I3"], invoices.InvoiceIds());
    }

    [Fact]
    public async Task With_the_setting_N_unpaid_invoices_with_fixed_ids_are_added_once_and_a_restart_unpays_none()
    {
        const int Count = 250;
        using (var seeded = _factory.With([("Seed:UnpaidInvoices", $"{Count}")]))
        {
            using var client = seeded.CreateClient();

            var unpaid = (await client.GetJsonAsync("/invoices?paid=false")).EnumerateArray()
                .Where(invoice => invoice.GetProperty("InvoiceId").GetString()!.StartsWith("seed-", StringComparison.Ordinal)).ToList();

            Assert.Equal(Enumerable.Range(1, Count).Select(n => $"seed-{n}").Order(StringComparer.Ordinal),
                unpaid.Select(invoice => invoice.GetProperty("InvoiceId").GetString()).Order(StringComparer.Ordinal));
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
        using var restarted = _factory.With([("Seed:UnpaidInvoices", $"{Count + 5}")]);
        using var again = restarted.CreateClient();
        var all = await again.GetJsonAsync("/invoices");

        Assert.Equal(Count + 5 + 3, all.GetArrayLength());
        Assert.Equal(Enumerable.Range(Count + 1, 5).Select(n => $"seed-{n}"),
            (await again.GetJsonAsync("/invoices?paid=false")).InvoiceIds().Order(StringComparer.Ordinal));
    }
}
