using System.Net;
using System.Text.Json;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>Every invoice-app row of docs/contract.md, against the real provider and real SQLite stores.</summary>
public sealed class InvoicesApiTests : ServiceTests<InvoiceAppFactory>
{
    private async Task<string[]> InvoiceIdsAsync(string query) => (await Client.GetJsonAsync($"/invoices{query}")).InvoiceIds();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PayAsync()
    {
        var response = await Client.PostAsync("/invoices/pay", null, Cancel);
        return (response.StatusCode, await response.ReadJsonAsync());
    }

    /// <summary>Pays with the provider behaving so for every invoice; the call must answer 502.</summary>
    private async Task<JsonElement> PayEveryInvoiceAnswering502Async(ProviderBehaviour provider)
    {
        Factory.Provider.SetAll(provider);

        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.BadGateway, status);
        return body;
    }

    /// <summary>The invoice ids in each list of a pay answer, in one line that a failed assertion shows whole.</summary>
    private static string Lists(JsonElement body) =>
        string.Join(" | ", new[] { "paid", "failed", "inDoubt", "pending" }
            .Select(list => $"{list} [{string.Join(' ', body.GetProperty(list).InvoiceIds())}]"));

    private async Task<string[]> RecordedPaymentIdsAsync() =>
        [.. (await Factory.ProviderClient.GetJsonAsync("/payments")).Strings("id").Order()];

    [Fact]
    public async Task A_fresh_store_lists_the_three_original_invoices_unpaid_with_the_original_keys()
    {
        var response = await Client.GetAsync("/invoices", Cancel);
        var raw = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """[{"InvoiceId":"I1","Value":12.15,"Currency":"EUR","IsPaid":false,"PaymentState":"unpaid"},"""
            + """{"InvoiceId":"I2","Value":10.25,"Currency":"GBP","IsPaid":false,"PaymentState":"unpaid"},"""
            + """{"InvoiceId":"I3","Value":66.13,"Currency":"DKK","IsPaid":false,"PaymentState":"unpaid"}]""",
            raw);
    }

    [Fact]
    public async Task Pay_pays_every_unpaid_invoice_with_its_id_as_the_payment_id()
    {
        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("paid [I1 I2 I3] | failed [] | inDoubt [] | pending []", Lists(body));
        Assert.All(body.GetProperty("paid").EnumerateArray(), invoice => Assert.True(invoice.GetProperty("IsPaid").GetBoolean()));
        Assert.All(body.GetProperty("paid").EnumerateArray(),
            invoice => Assert.Equal("paid", invoice.GetProperty("PaymentState").GetString()));
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
        var i1 = await Factory.ProviderClient.GetJsonAsync("/payments/I1");
        Assert.Equal(12.15m, i1.GetProperty("value").GetDecimal());
        Assert.Equal("EUR", i1.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Paid_and_unpaid_invoices_are_listed_apart()
    {
        Factory.Provider.Set("I2", ProviderBehaviour.Fails);
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
        var response = await Client.GetAsync($"/invoices{query}", Cancel);

        await ProblemAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "paid must be true or false");
    }

    [Fact]
    public async Task Paying_when_nothing_is_unpaid_answers_ok_and_calls_nobody()
    {
        await PayAsync();
        var requestsBefore = Factory.Provider.TotalPaymentRequests;

        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("paid [] | failed [] | inDoubt [] | pending []", Lists(body));
        Assert.Equal(requestsBefore, Factory.Provider.TotalPaymentRequests);
    }

    [Fact]
    public async Task A_provider_that_fails_leaves_every_invoice_unpaid_and_the_call_answers_502_with_the_failures()
    {
        var body = await PayEveryInvoiceAnswering502Async(ProviderBehaviour.Fails);

        Assert.Equal("paid [] | failed [I1 I2 I3] | inDoubt [] | pending []", Lists(body));
        Assert.All(body.GetProperty("failed").EnumerateArray(), failure =>
            Assert.Equal("payment provider unavailable", failure.GetProperty("Reason").GetString()));
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=false"));
        Assert.All((await Client.GetJsonAsync("/invoices")).EnumerateArray(),
            invoice => Assert.Equal("unpaid", invoice.GetProperty("PaymentState").GetString()));
        Assert.Empty(await RecordedPaymentIdsAsync());
    }

    [Fact]
    public async Task A_provider_that_times_out_leaves_the_payments_in_doubt_not_failed_and_the_call_answers_502()
    {
        var body = await PayEveryInvoiceAnswering502Async(ProviderBehaviour.Hangs);

        Assert.Equal("paid [] | failed [] | inDoubt [I1 I2 I3] | pending []", Lists(body));
        // Not paid, but not plain unpaid either: the original keys say not paid, the added one says why.
        var invoices = await Client.GetJsonAsync("/invoices");
        Assert.All(invoices.EnumerateArray(), invoice =>
        {
            Assert.False(invoice.GetProperty("IsPaid").GetBoolean());
            Assert.Equal("inDoubt", invoice.GetProperty("PaymentState").GetString());
        });
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=false"));

        // A second call does not pay them again while they await settlement.
        Factory.Provider.SetAll(ProviderBehaviour.Healthy);
        var (againStatus, again) = await PayAsync();
        Assert.Equal(HttpStatusCode.BadGateway, againStatus);
        Assert.Equal(["I1", "I2", "I3"], again.GetProperty("inDoubt").InvoiceIds());
        Assert.Equal(0, Factory.Provider.TotalPaymentRequests);
    }

    [Fact]
    public async Task A_partial_failure_answers_502_keeps_the_successes_paid_and_a_later_call_pays_the_rest()
    {
        Factory.Provider.Set("I2", ProviderBehaviour.Fails);

        var (firstStatus, first) = await PayAsync();

        Assert.Equal(HttpStatusCode.BadGateway, firstStatus);
        Assert.Equal(["I1", "I3"], first.GetProperty("paid").InvoiceIds());
        var failure = Assert.Single(first.GetProperty("failed").EnumerateArray());
        Assert.Equal("I2", failure.GetProperty("InvoiceId").GetString());
        Assert.Equal("payment provider unavailable", failure.GetProperty("Reason").GetString());

        Factory.Provider.Set("I2", ProviderBehaviour.Healthy);
        var (secondStatus, second) = await PayAsync();

        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(["I2"], second.GetProperty("paid").InvoiceIds());
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task A_payment_whose_answer_is_lost_is_in_doubt_and_recovery_settles_it_as_paid_without_paying_again()
    {
        using var app = Factory.With([("Payments:ClaimLease", "00:00:04"), ("Payments:RecoveryInterval", "00:00:00.200")]);
        using var client = app.CreateClient();
        Factory.Provider.Set("I1", ProviderBehaviour.AnswerLost);

        var response = await client.PostAsync("/invoices/pay", null, Cancel);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("paid [I2 I3] | failed [] | inDoubt [I1] | pending []", Lists(body));
        Assert.Contains("I1", await RecordedPaymentIdsAsync());
        Assert.Equal("inDoubt", await client.PaymentStateAsync("I1"));
        var paymentRequests = Factory.Provider.PaymentRequests("I1");

        // Recovery asks the provider once the lease ends, finds the payment, and pays nothing again.
        await Eventually.WaitUntilAsync(async () => await client.PaymentStateAsync("I1") == "paid", TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));
        Assert.Equal(paymentRequests, Factory.Provider.PaymentRequests("I1"));
        Assert.True(Factory.Provider.Lookups("I1") >= 1);
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
    }

    [Fact]
    public async Task An_invoice_another_call_is_paying_is_reported_pending_and_the_call_answers_202()
    {
        Factory.Provider.HoldAnswer("I1");
        var first = PayAsync();
        await Eventually.WaitUntilAsync(() => Factory.Provider.PaymentRequests("I1") == 1 && Factory.Provider.PaymentRequests("I3") == 1);
        await Eventually.WaitUntilAsync(async () => (await InvoiceIdsAsync("?paid=true")).Length == 2);

        var (status, body) = await PayAsync();

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("paid [] | failed [] | inDoubt [] | pending [I1]", Lists(body));
        Assert.Equal("pending", await Client.PaymentStateAsync("I1"));

        Factory.Provider.Release("I1");
        var (firstStatus, _) = await first;
        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(1, Factory.Provider.PaymentRequests("I1"));
    }

    [Fact]
    public async Task Pay_marks_an_invoice_paid_only_after_the_provider_confirms()
    {
        Factory.Provider.HoldAnswer("I1");

        var paying = PayAsync();
        await Eventually.WaitUntilAsync(() => Factory.Provider.PaymentRequests("I1") == 1);

        Assert.Contains("I1", await RecordedPaymentIdsAsync());
        Assert.Contains("I1", await InvoiceIdsAsync("?paid=false"));
        Assert.False(paying.IsCompleted);

        Factory.Provider.Release("I1");
        var (status, _) = await paying;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("I1", await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task Twenty_concurrent_pay_calls_pay_each_invoice_exactly_once()
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PayAsync()));

        // 200: all paid when it ended; 202: some were still being paid by another call, which says so.
        Assert.All(calls, call => Assert.True(call.Status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{call.Status}: {call.Body}"));
        Assert.All(calls,
            call => Assert.Equal(call.Status == HttpStatusCode.Accepted, call.Body.GetProperty("pending").GetArrayLength() > 0));
        Assert.All(calls, call => Assert.Empty(call.Body.GetProperty("failed").EnumerateArray()));
        var paidByAllCalls = calls.SelectMany(call => call.Body.GetProperty("paid").InvoiceIds()).Order().ToArray();
        Assert.Equal(["I1", "I2", "I3"], paidByAllCalls);
        Assert.All(new[] { "I1", "I2", "I3" }, id => Assert.Equal(1, Factory.Provider.PaymentRequests(id)));
        Assert.Equal(["I1", "I2", "I3"], await RecordedPaymentIdsAsync());
        Assert.Equal(["I1", "I2", "I3"], await InvoiceIdsAsync("?paid=true"));
    }

    [Fact]
    public async Task Readiness_does_not_depend_on_the_provider()
    {
        Factory.Provider.SetAll(ProviderBehaviour.Hangs);

        var health = await Client.GetAsync("/health", Cancel);
        var readiness = await Client.GetAsync("/readiness", Cancel);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ready", await readiness.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("replaced by garbage")]
    public async Task Readiness_reads_the_sqlite_file_so_a_deleted_or_corrupt_file_is_not_ready(string damage)
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health", Cancel)).StatusCode);
        var file = Factory.DatabaseFile;

        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(path);
        }
        if (damage == "replaced by garbage")
        {
            await File.WriteAllTextAsync(file, new string('x', 8192), Cancel);
        }

        var health = await Client.GetAsync("/health", Cancel);
        var readiness = await Client.GetAsync("/readiness", Cancel);
        Assert.True(HttpStatusCode.ServiceUnavailable == health.StatusCode, await health.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Equal("not ready", await readiness.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Unknown_routes_answer_with_an_error_body()
    {
        var response = await Client.GetAsync("/invoices/unknown/route", Cancel);

        await ProblemAssert.ErrorAsync(response, HttpStatusCode.NotFound);
    }
}
