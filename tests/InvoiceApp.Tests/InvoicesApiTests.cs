using System.Net;
using System.Text.Json;

namespace InvoiceApp.Tests;

/// <summary>Every invoice-app row of CONTRACT.md, against the real provider and real SQLite stores.</summary>
public sealed class InvoicesApiTests : IDisposable
{
    private readonly InvoiceAppFactory _factory = new();
    private readonly HttpClient _client;

    public InvoicesApiTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetJsonAsync(string path, HttpClient? client = null)
    {
        var response = await (client ?? _client).GetAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
    }

    private async Task<string[]> InvoiceIdsAsync(string query) =>
        [.. (await GetJsonAsync($"/invoices{query}")).EnumerateArray().Select(invoice => invoice.GetProperty("InvoiceId").GetString()!)];

    private async Task<(HttpStatusCode Status, JsonElement Body)> PayAsync()
    {
        var response = await _client.PostAsync("/invoices/pay", null, Cancel);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement);
    }

    private static string[] Ids(JsonElement items) =>
        [.. items.EnumerateArray().Select(item => item.GetProperty("InvoiceId").GetString()!)];

    private async Task<string[]> RecordedPaymentIdsAsync() =>
        [.. (await GetJsonAsync("/payments", _factory.ProviderClient)).EnumerateArray().Select(payment => payment.GetProperty("id").GetString()!).Order()];

    [Fact]
    public async Task A_fresh_store_lists_the_three_original_invoices_unpaid_with_the_original_keys()
    {
        var response = await _client.GetAsync("/invoices", Cancel);
        var raw = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """[{"InvoiceId":"I1","Value":12.15,"Currency":"EUR","IsPaid":false},{"InvoiceId":"I2","Value":10.25,"Currency":"GBP","IsPaid":false},{"InvoiceId":"I3","Value":66.13,"Currency":"DKK","IsPaid":false}]""",
            raw);
    }

    [Fact]
    public async Task Pay_pays_every_unpaid_invoice_with_its_id_as_the_payment_id()
    {
        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["I1", "I2", "I3"], Ids(body.GetProperty("paid")));
        Assert.All(body.GetProperty("paid").EnumerateArray(), invoice => Assert.True(invoice.GetProperty("IsPaid").GetBoolean()));
        Assert.Empty(body.GetProperty("failed").EnumerateArray());
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
        var i1 = await GetJsonAsync("/payments/I1", _factory.ProviderClient);
        Assert.Equal(12.15m, i1.GetProperty("value").GetDecimal());
        Assert.Equal("EUR", i1.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Paid_and_unpaid_invoices_are_listed_apart()
    {
        _factory.Provider.Set("I2", ProviderBehaviour.Fails);
        await PayAsync();

        Assert.Equal(["I1", "I3"], await InvoiceIdsAsync("?paid=true"));
        Assert.Equal(["I2"], await InvoiceIdsAsync("?paid=false"));
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync(""));
    }

    [Theory]
    [InlineData("?paid=maybe")]
    [InlineData("?paid=")]
    [InlineData("?paid=1")]
    public async Task A_paid_filter_that_is_not_true_or_false_is_rejected(string query)
    {
        var response = await _client.GetAsync($"/invoices{query}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("paid must be true or false", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Paying_when_nothing_is_unpaid_answers_ok_and_calls_nobody()
    {
        await PayAsync();
        var requestsBefore = _factory.Provider.TotalPaymentRequests;

        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("paid").EnumerateArray());
        Assert.Empty(body.GetProperty("failed").EnumerateArray());
        Assert.Equal(requestsBefore, _factory.Provider.TotalPaymentRequests);
    }

    [Theory]
    [InlineData(ProviderBehaviour.Fails)]
    [InlineData(ProviderBehaviour.Hangs)]
    public async Task A_provider_that_fails_or_times_out_leaves_every_invoice_unpaid_and_the_call_answers_502(ProviderBehaviour behaviour)
    {
        _factory.Provider.SetAll(behaviour);

        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Empty(body.GetProperty("paid").EnumerateArray());
        Assert.Equal(["I1", "I2", "I3"], Ids(body.GetProperty("failed")));
        Assert.All(body.GetProperty("failed").EnumerateArray(), failure =>
            Assert.False(string.IsNullOrWhiteSpace(failure.GetProperty("Reason").GetString())));
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=false"));
        Assert.Empty(await RecordedPaymentIdsAsync());
    }

    [Fact]
    public async Task A_partial_failure_answers_502_keeps_the_successes_paid_and_a_later_call_pays_the_rest()
    {
        _factory.Provider.Set("I2", ProviderBehaviour.Fails);

        var (firstStatus, first) = await PayAsync();

        Assert.Equal(HttpStatusCode.BadGateway, firstStatus);
        Assert.Equal(["I1", "I3"], Ids(first.GetProperty("paid")));
        var failure = Assert.Single(first.GetProperty("failed").EnumerateArray());
        Assert.Equal("I2", failure.GetProperty("InvoiceId").GetString());
        Assert.Contains("500", failure.GetProperty("Reason").GetString());

        _factory.Provider.Set("I2", ProviderBehaviour.Healthy);
        var (secondStatus, second) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(["I2"], Ids(second.GetProperty("paid")));
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task A_payment_whose_answer_is_lost_stays_unpaid_and_is_settled_later_without_paying_twice()
    {
        _factory.Provider.Set("I1", ProviderBehaviour.RecordsThenFails);

        var (firstStatus, _) = await PayAsync();

        Assert.Equal(HttpStatusCode.BadGateway, firstStatus);
        Assert.Equal(["I1"], await InvoiceIdsAsync("?paid=false"));
        Assert.Contains("I1", await RecordedPaymentIdsAsync());

        _factory.Provider.Set("I1", ProviderBehaviour.Healthy);
        var (secondStatus, second) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(["I1"], Ids(second.GetProperty("paid")));
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
        var payment = await GetJsonAsync("/payments/I1", _factory.ProviderClient);
        Assert.Equal(12.15m, payment.GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task Pay_marks_an_invoice_paid_only_after_the_provider_confirms()
    {
        _factory.Provider.HoldAnswer("I1");

        var paying = PayAsync();
        await WaitUntilAsync(() => _factory.Provider.PaymentRequests("I1") == 1);

        Assert.Contains("I1", await RecordedPaymentIdsAsync());
        Assert.Contains("I1", await InvoiceIdsAsync("?paid=false"));
        Assert.False(paying.IsCompleted);

        _factory.Provider.Release("I1");
        var (status, _) = await paying;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("I1", await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task Twenty_concurrent_pay_calls_pay_each_invoice_exactly_once()
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PayAsync()));

        Assert.All(calls, call => Assert.Equal(HttpStatusCode.OK, call.Status));
        var paidByAllCalls = calls.SelectMany(call => Ids(call.Body.GetProperty("paid"))).Order().ToArray();
        Assert.Equal(["I1", "I2", "I3"], paidByAllCalls);
        Assert.All(new[] { "I1", "I2", "I3" }, id => Assert.Equal(1, _factory.Provider.PaymentRequests(id)));
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task Readiness_does_not_depend_on_the_provider()
    {
        _factory.Provider.SetAll(ProviderBehaviour.Hangs);

        var health = await _client.GetAsync("/health", Cancel);
        var readiness = await _client.GetAsync("/readiness", Cancel);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ready", await readiness.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("/liveness", "alive")]
    [InlineData("/readiness", "ready")]
    [InlineData("/health", "Healthy")]
    [InlineData("/alive", "Healthy")]
    public async Task Probe_answers_ok(string path, string expectedBody)
    {
        var response = await _client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedBody, await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Unknown_routes_answer_with_an_error_body()
    {
        var response = await _client.GetAsync("/invoices/unknown/route", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
