using System.Net;
using System.Text;
using InvoiceApp.Model;
using InvoiceApp.Payments;
using Microsoft.Extensions.Logging.Abstractions;

namespace InvoiceApp.Tests;

/// <summary>How <see cref="PaymentProviderClient"/> turns what comes over the wire into its closed answers.</summary>
public sealed class ProviderAnswerTests
{
    private static readonly Invoice Invoice = new("I1", 12.15m, "EUR", false);

    [Fact]
    public async Task A_lookup_tells_a_held_payment_from_none_and_from_one_it_could_not_ask_about()
    {
        var token = TestContext.Current.CancellationToken;

        Assert.Equal(new ProviderLookup.Holds(new ProviderPayment("I1", 12.15m, "EUR")),
            await Client(_ => Json(HttpStatusCode.OK, """{"id":"I1","value":12.15,"currency":"EUR","recordedAt":"2026-01-01T00:00:00Z"}"""))
                .LookUpAsync("I1", token));
        Assert.IsType<ProviderLookup.HoldsNone>(await Client(_ => Json(HttpStatusCode.NotFound,
            """{"error":"payment I1 not found"}""")).LookUpAsync("I1", token));
        Assert.IsType<ProviderLookup.Unknown>(await Client(_ => Json(HttpStatusCode.InternalServerError, "{}")).LookUpAsync("I1", token));
        Assert.IsType<ProviderLookup.Unknown>(
            await Client(_ => throw new HttpRequestException("connection refused")).LookUpAsync("I1", token));
    }

    [Fact]
    public async Task A_lookup_answered_200_without_a_payment_is_unknown_rather_than_none()
    {
        // "None" would release the claim or pay again as if nothing had moved; a body that says nothing proves nothing.
        var lookup = await Client(_ => Json(HttpStatusCode.OK, "null")).LookUpAsync("I1", TestContext.Current.CancellationToken);

        Assert.Equal("payment-provider answered 200 without a payment", Assert.IsType<ProviderLookup.Unknown>(lookup).Reason);
    }

    [Fact]
    public async Task A_payment_answer_keeps_the_status_and_the_providers_error_for_the_logs()
    {
        var token = TestContext.Current.CancellationToken;

        Assert.IsType<ProviderAnswer.Paid>(await Client(_ => Json(HttpStatusCode.OK, """{"id":"I1"}""")).PayAsync(Invoice, token));
        var refused = await Client(_ => Json(HttpStatusCode.Conflict,
            """{"error":"payment I1 is already recorded with another value or currency"}"""))
            .PayAsync(Invoice, token);
        Assert.Equal("payment-provider answered 409: payment I1 is already recorded with another value or currency",
            Assert.IsType<ProviderAnswer.Refused>(refused).Detail);
        // A 500 proves neither payment nor refusal (the provider may have recorded it first): a lookup must tell.
        var failed = await Client(_ => Json(HttpStatusCode.InternalServerError, "{}")).PayAsync(Invoice, token);
        Assert.Equal("payment-provider answered 500", Assert.IsType<ProviderAnswer.Unconfirmed>(failed).Detail);
        // No connection at all: nothing reached the provider.
        Assert.IsType<ProviderAnswer.Unavailable>(
            await Client(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused"))
                .PayAsync(Invoice, token));
    }

    private static PaymentProviderClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new(new HttpClient(new Answering(answer)) { BaseAddress = new Uri("http://payment-provider") },
            NullLogger<PaymentProviderClient>.Instance);

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>The wire: answers every request as told, or throws as a broken connection does.</summary>
    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
