using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Bench;

/// <summary>The calls around the load: the payment every replay repeats, and paying the seeded invoices.</summary>
public sealed class PayCalls(HttpClient http, string apiKey)
{
    private const string SeedPrefix = "seed-";
    private const int MaxPayCalls = 50;

    public async Task RecordReplayedPaymentAsync(Uri provider, CancellationToken cancellationToken)
    {
        using var body = new StringContent("""{"id":"bench-replay","value":12.15,"currency":"EUR"}""", Encoding.UTF8,
            "application/json");
        using var answer = await http.PostAsync(new Uri(provider, "/payments/pay"), body, cancellationToken);
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"recording the replayed payment answered {(int)answer.StatusCode}");
        }
    }

    /// <summary>POST /invoices/pay until it answers 200, then checks that every seeded invoice is paid.</summary>
    public async Task<PayResult> PaySeededAsync(Uri invoiceApp, int invoices, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var statuses = new List<int>();
        while (statuses.LastOrDefault() != (int)HttpStatusCode.OK)
        {
            if (statuses.Count >= MaxPayCalls)
            {
                throw new InvalidOperationException($"still not paid after {MaxPayCalls} calls");
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(invoiceApp, "/invoices/pay"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var answer = await http.SendAsync(request, cancellationToken);
            if (answer.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.BadGateway))
            {
                throw new InvalidOperationException($"POST /invoices/pay answered {(int)answer.StatusCode}");
            }
            statuses.Add((int)answer.StatusCode);
        }
        var elapsed = clock.Elapsed;
        var paid = (await InvoiceIdsAsync(invoiceApp, paid: true, cancellationToken))
            .Count(id => id.StartsWith(SeedPrefix, StringComparison.Ordinal));
        var unpaid = (await InvoiceIdsAsync(invoiceApp, paid: false, cancellationToken)).Count;
        if (paid != invoices || unpaid != 0)
        {
            throw new InvalidOperationException($"after paying: {paid} seeded invoices paid, {unpaid} not paid");
        }
        return PayResult.Of(invoices, elapsed, statuses);
    }

    private async Task<List<string>> InvoiceIdsAsync(Uri invoiceApp, bool paid, CancellationToken cancellationToken)
    {
        var url = new Uri(invoiceApp, $"/invoices?paid={(paid ? "true" : "false")}");
        using var document = JsonDocument.Parse(await http.GetStringAsync(url, cancellationToken));
        return [.. document.RootElement.EnumerateArray()
            .Select(invoice => invoice.GetProperty("InvoiceId").GetString()!)];
    }
}
