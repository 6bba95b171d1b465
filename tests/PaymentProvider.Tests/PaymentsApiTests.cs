using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>Every payment-provider row of docs/contract.md, through the real HTTP pipeline and a real SQLite store.</summary>
public sealed class PaymentsApiTests : PaymentProviderTests
{
    private static Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string expectedError) =>
        ProblemAssert.ErrorAsync(response, status, expectedError);

    [Fact]
    public async Task Pay_records_the_payment_and_answers_its_id()
    {
        var response = await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"id":"I1"}""", await response.Content.ReadAsStringAsync(Cancel));
        var payment = Assert.Single(await PaymentsAsync());
        Assert.Equal("I1", payment.GetProperty("id").GetString());
        Assert.Equal(12.15m, payment.GetProperty("value").GetDecimal());
        Assert.Equal("EUR", payment.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Paying_the_same_payment_again_replays_it_without_recording_it_twice()
    {
        var first = await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""");
        var recordedAt = (await PaymentsAsync())[0].GetProperty("recordedAt").GetString();

        var again = await PayAsync("""{"id":"I1","value":12.150,"currency":"EUR"}""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("I1", (await again.ReadJsonAsync()).GetProperty("id").GetString());
        var payment = Assert.Single(await PaymentsAsync());
        Assert.Equal(recordedAt, payment.GetProperty("recordedAt").GetString());
    }

    [Theory]
    [InlineData("""{"id":"I1","value":12.16,"currency":"EUR"}""")]
    [InlineData("""{"id":"I1","value":12.15,"currency":"GBP"}""")]
    public async Task Reusing_an_id_with_another_value_or_currency_conflicts_and_records_nothing(string conflicting)
    {
        await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""");

        var response = await PayAsync(conflicting);

        Assert.Contains("I1", await ProblemAssert.ErrorAsync(response, HttpStatusCode.Conflict), StringComparison.Ordinal);
        var payment = Assert.Single(await PaymentsAsync());
        Assert.Equal(12.15m, payment.GetProperty("value").GetDecimal());
        Assert.Equal("EUR", payment.GetProperty("currency").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"id\":\"I1\",\"value\":12.15,\"currency\":\"EUR\"")]
    [InlineData("""{"id":"I1","value":"12.15","currency":"EUR"}""")]
    [InlineData("""{"id":1,"value":12.15,"currency":"EUR"}""")]
    [InlineData("""{"id":"I1","value":12.15,"currency":["EUR"]}""")]
    [InlineData("""[{"id":"I1","value":12.15,"currency":"EUR"}]""")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("""{"id":"I1","value":1e40,"currency":"EUR"}""")]
    [InlineData("""{"id":"I\ud800","value":12.15,"currency":"EUR"}""")]
    public async Task A_body_that_is_not_a_payment_request_is_rejected_with_the_original_message(string body)
    {
        await AssertErrorAsync(await PayAsync(body), HttpStatusCode.BadRequest, "failed to process payment request parameters");
        Assert.Empty(await PaymentsAsync());
    }

    [Theory]
    [InlineData("""{"value":12.15,"currency":"EUR"}""", "could not retrieve payment id")]
    [InlineData("""{"id":"","value":12.15,"currency":"EUR"}""", "could not retrieve payment id")]
    [InlineData("""{"id":"   ","value":12.15,"currency":"EUR"}""", "could not retrieve payment id")]
    [InlineData("""{"id":"I1","currency":"EUR"}""", "could not retrieve payment value")]
    [InlineData("""{"id":"I1","value":0,"currency":"EUR"}""", "could not retrieve payment value")]
    [InlineData("""{"id":"I1","value":0.00,"currency":"EUR"}""", "could not retrieve payment value")]
    [InlineData("""{"id":"I1","value":12.15}""", "could not retrieve payment currency")]
    [InlineData("""{"id":"I1","value":12.15,"currency":""}""", "could not retrieve payment currency")]
    public async Task A_missing_field_is_named_with_the_original_message(string body, string expectedError)
    {
        await AssertErrorAsync(await PayAsync(body), HttpStatusCode.BadRequest, expectedError);
        Assert.Empty(await PaymentsAsync());
    }

    [Theory]
    [InlineData("""{"id":"I1","value":-12.15,"currency":"EUR"}""", "payment value must be positive")]
    [InlineData("""{"id":"I1","value":12.155,"currency":"EUR"}""", "payment value must have at most 2 decimal places")]
    [InlineData("""{"id":"I1","value":0.001,"currency":"EUR"}""", "payment value must have at most 2 decimal places")]
    [InlineData("""{"id":"I1","value":1000000000.01,"currency":"EUR"}""", "payment value must not exceed 1000000000")]
    [InlineData("""{"id":"I1","value":100000000000000000000,"currency":"EUR"}""", "payment value must not exceed 1000000000")]
    [InlineData("""{"id":"I1","value":12.15,"currency":"eur"}""", "payment currency must be an ISO 4217 code of 3 upper-case letters")]
    [InlineData("""{"id":"I1","value":12.15,"currency":"EURO"}""", "payment currency must be an ISO 4217 code of 3 upper-case letters")]
    [InlineData("""{"id":"I1","value":12.15,"currency":"E1R"}""", "payment currency must be an ISO 4217 code of 3 upper-case letters")]
    [InlineData("""{"id":"I1\u0000","value":12.15,"currency":"EUR"}""", "payment id must not contain control characters")]
    [InlineData("""{"id":"I\n1","value":12.15,"currency":"EUR"}""", "payment id must not contain control characters")]
    public async Task An_invalid_field_is_rejected_saying_which_and_why(string body, string expectedError)
    {
        await AssertErrorAsync(await PayAsync(body), HttpStatusCode.BadRequest, expectedError);
        Assert.Empty(await PaymentsAsync());
    }

    [Fact]
    public async Task An_id_over_64_characters_is_rejected_and_64_is_accepted()
    {
        var tooLong = await PayAsync($$"""{"id":"{{new string('x', 65)}}","value":1,"currency":"EUR"}""");
        var longest = await PayAsync($$"""{"id":"{{new string('x', 64)}}","value":1,"currency":"EUR"}""");

        await AssertErrorAsync(tooLong, HttpStatusCode.BadRequest, "payment id must be at most 64 characters");
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
    }

    [Fact]
    public async Task A_body_over_16_KiB_is_rejected_as_too_large()
    {
        var padding = new string(' ', 16 * 1024);
        var response = await PayAsync($$"""{"id":"I1","value":12.15,"currency":"EUR"}{{padding}}""");

        Assert.Contains("16384", await ProblemAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge), StringComparison.Ordinal);
        Assert.Empty(await PaymentsAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_declared_json_is_rejected_as_unsupported(string contentType)
    {
        var response = await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""", contentType);

        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "content type must be application/json");
        Assert.Empty(await PaymentsAsync());
    }

    [Fact]
    public async Task A_recorded_payment_is_found_by_id_with_its_value_currency_and_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await PayAsync("""{"id":"I3","value":66.13,"currency":"DKK"}""");

        var response = await Client.GetAsync("/payments/I3", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("\"value\":66.13", raw, StringComparison.Ordinal);
        var payment = await response.ReadJsonAsync();
        Assert.Equal("I3", payment.GetProperty("id").GetString());
        Assert.Equal("DKK", payment.GetProperty("currency").GetString());
        Assert.InRange(payment.GetProperty("recordedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task An_unknown_payment_is_not_found()
    {
        var response = await Client.GetAsync("/payments/nope", Cancel);

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "payment nope not found");
    }

    [Fact]
    public async Task Listing_payments_holds_each_id_once()
    {
        await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""");
        await PayAsync("""{"id":"I2","value":10.25,"currency":"GBP"}""");
        await PayAsync("""{"id":"I1","value":12.15,"currency":"EUR"}""");
        await PayAsync("""{"id":"I2","value":99,"currency":"GBP"}""");

        var ids = (await PaymentsAsync()).Select(payment => payment.GetProperty("id").GetString()).ToArray();

        Assert.Equal(["I1", "I2"], ids.Order());
    }

    [Fact]
    public async Task Concurrent_payments_of_one_id_record_it_once()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Client.PostAsJsonAsync("/payments/pay", new { id = "I9", value = 9.99m, currency = "EUR" }, Cancel)));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Single(await PaymentsAsync());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_with_an_error_body()
    {
        var unknown = await Client.GetAsync("/nothing/here", Cancel);
        var wrongMethod = await Client.DeleteAsync("/payments", Cancel);

        await ProblemAssert.ErrorAsync(unknown, HttpStatusCode.NotFound);
        await ProblemAssert.ErrorAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }
}
