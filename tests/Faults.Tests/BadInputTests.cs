using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// Thousands of generated malformed requests at both services running as real processes: every answer is a 4xx
/// carrying a JSON <c>error</c>, never a 5xx; the services stay healthy and their data does not change.
/// </summary>
public sealed class BadInputTests
{
    private const int Seed = 20261126;
    private const int RequestCount = 3200;

    [Fact]
    public async Task Thousands_of_malformed_requests_get_a_4xx_with_an_error_and_change_nothing()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(150));
        var token = timeout.Token;
        await using var invoicesDb = TestDatabase.Create(TestDatabase.Sqlite, "bad_input_invoices");
        await using var paymentsDb = TestDatabase.Create(TestDatabase.Sqlite, "bad_input_payments");
        await using var provider = await ServiceProcess.StartAsync("PaymentProvider", new Dictionary<string, string>
        {
            ["ConnectionStrings__paymentsdb"] = paymentsDb.ConnectionString,
        }, TimeSpan.FromSeconds(60), token);
        await using var invoiceApp = await ServiceProcess.StartAsync("InvoiceApp", new Dictionary<string, string>
        {
            ["ConnectionStrings__invoicesdb"] = invoicesDb.ConnectionString,
            ["services__payment-provider__http__0"] = provider.Address.ToString(),
        }, TimeSpan.FromSeconds(60), token);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        // Some data to keep: two payments recorded, the three demo invoices unpaid.
        foreach (var (id, value) in new[] { ("KEEP-1", 12.15m), ("KEEP-2", 999999999.99m) })
        {
            using var recorded = await http.PostAsJsonAsync(
                new Uri(provider.Address, "/payments/pay"), new { id, value, currency = "EUR" }, token);
            recorded.EnsureSuccessStatusCode();
        }
        var paymentsBefore = await http.GetStringAsync(new Uri(provider.Address, "/payments"), token);
        var invoicesBefore = await http.GetStringAsync(new Uri(invoiceApp.Address, "/invoices"), token);

        var requests = MalformedRequests.Generate(Seed, RequestCount);
        var wrong = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var rejectedByKestrel = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token };
        await Parallel.ForEachAsync(requests, parallel, async (request, ct) =>
        {
            var service = request.Service == MalformedRequests.Provider ? provider : invoiceApp;
            using var message = request.ToMessage(service.Address);
            using var response = await http.SendAsync(message, ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (request.RejectedByKestrel)
            {
                Interlocked.Increment(ref rejectedByKestrel);
                if (status != 400)
                {
                    wrong.Enqueue($"{status} (Kestrel should reject it with 400) <- {request}");
                }
            }
            else if (status is < 400 or > 499 || !HasErrorString(body))
            {
                wrong.Enqueue($"{status} {Shorten(body)} <- {request}");
            }
        });

        var figures = $"{requests.Count} malformed requests (seed {Seed}): " +
            string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Value}x {pair.Key}")) +
            $"; {rejectedByKestrel} rejected by Kestrel before the application (400 without a body)" +
            $"; kinds: {string.Join(", ", requests.GroupBy(request => request.Kind).Select(group => $"{group.Key} {group.Count()}"))}";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        Assert.True(wrong.IsEmpty,
            $"{wrong.Count} answers were not a 4xx with an error, e.g.:\n{string.Join("\n", wrong.Take(20))}\n{figures}");

        foreach (var service in new[] { provider, invoiceApp })
        {
            using var health = await http.GetAsync(new Uri(service.Address, "/health"), token);
            Assert.True(health.IsSuccessStatusCode, $"{service.Name} is not healthy after the bad input:\n{service.RecentOutput}");
            Assert.False(service.HasExited);
            var errors = string.Join("\n", service.ErrorsLogged.Take(10));
            Assert.True(service.ErrorsLogged.Count == 0, $"{service.Name} logged errors:\n{errors}\n{service.RecentOutput}");
        }
        Assert.Equal(paymentsBefore, await http.GetStringAsync(new Uri(provider.Address, "/payments"), token));
        Assert.Equal(invoicesBefore, await http.GetStringAsync(new Uri(invoiceApp.Address, "/invoices"), token));
    }

    private static bool HasErrorString(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String
                && error.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : new StringBuilder(text, 0, 200, 203).Append("...").ToString();
}
