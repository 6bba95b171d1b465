using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using static Dashboard.Tests.PaymentSystemWithDashboard;

namespace Dashboard.Tests;

/// <summary>What the dashboard received from the services for real payments, read through its telemetry API.</summary>
[Collection(DashboardCollection.Name)]
public sealed class PaymentTraceTelemetryTests(PaymentSystemWithDashboard system)
{
    [Fact]
    public async Task One_trace_holds_the_invoice_payment_and_the_provider_recording_it_parent_to_child()
    {
        system.AssertPayAnswer(HttpStatusCode.OK, "paid", ["I1", "I2", "I3"]);

        // Both services export in batches, each on its own clock: wait until every span of the three payments arrived.
        var spans = await system.Telemetry.SpansWhenAsync(HoldsThreeWholePayments);

        var payInvoice = Assert.Single(spans, span => span.Name == "pay invoice" && span.Tag("invoice.id") == "I1");
        Assert.Equal(InvoiceApp, payInvoice.Resource);
        Assert.Equal("12.15", payInvoice.Tag("invoice.value"));
        Assert.Equal("EUR", payInvoice.Tag("invoice.currency"));
        Assert.Equal("paid", payInvoice.Tag("invoice.outcome"));

        var trace = spans.Where(span => span.TraceId == payInvoice.TraceId).ToList();
        Assert.Equal([InvoiceApp, PaymentProvider], trace.Select(span => span.Resource).Distinct().Order());

        // pay invoice -> HttpClient POST (invoice-app) -> POST /payments/pay (payment-provider) -> record payment
        var call = Assert.Single(trace,
            span => span.ParentSpanId == payInvoice.SpanId && span.Kind == ReceivedSpan.Client && span.Tag("db.system.name") is null);
        Assert.Equal(InvoiceApp, call.Resource);
        var served = Assert.Single(trace, span => span.ParentSpanId == call.SpanId);
        Assert.Equal((PaymentProvider, ReceivedSpan.Server), (served.Resource, served.Kind));
        Assert.Equal("200", served.Tag("http.response.status_code"));
        Assert.Equal("recorded", served.Tag("payment.outcome"));
        var recording = Assert.Single(trace, span => span.ParentSpanId == served.SpanId && span.Name == "record payment");
        Assert.Equal(("I1", "12.15", "EUR", "recorded"),
            (recording.Tag("payment.id"), recording.Tag("payment.value"), recording.Tag("payment.currency"),
                recording.Tag("payment.outcome")));

        // Each service's store calls are spans under that service's own: invoice-app marks the invoice paid inside
        // "pay invoice", payment-provider inserts the payment inside "record payment".
        var markPaid = Assert.Single(trace, span => span.ParentSpanId == payInvoice.SpanId && IsStoreCall(span, "UPDATE"));
        Assert.Equal(InvoiceApp, markPaid.Resource);
        Assert.Contains("UPDATE invoices SET state = 'paid'", markPaid.Tag("db.query.text"), StringComparison.Ordinal);
        var insert = Assert.Single(trace, span => span.ParentSpanId == recording.SpanId && IsStoreCall(span, "INSERT"));
        Assert.Equal(PaymentProvider, insert.Resource);
        Assert.StartsWith("INSERT INTO payments", insert.Tag("db.query.text"), StringComparison.Ordinal);

        // The pay request's trace holds one "pay invoice" span per invoice, each with its own provider call.
        Assert.Equal(["I1", "I2", "I3"], trace.Where(span => span.Name == "pay invoice").Select(span => span.Tag("invoice.id")).Order());
        Assert.Equal(3, trace.Count(span => span.Name == "record payment"));
    }

    private static bool HoldsThreeWholePayments(IReadOnlyList<ReceivedSpan> spans) =>
        spans.Count(span => span.Name == "pay invoice") >= 3 &&
        spans.Count(span => span.Resource == InvoiceApp && span.Kind == ReceivedSpan.Client) >= 3 &&
        spans.Count(span => span.Resource == PaymentProvider && span.Kind == ReceivedSpan.Server) >= 3 &&
        spans.Count(span => span.Name == "record payment" && span.Tag("payment.outcome") == "recorded") >= 3 &&
        spans.Count(span => span.Resource == InvoiceApp && IsStoreCall(span, "UPDATE")) >= 4 &&
        spans.Count(span => span.Resource == PaymentProvider && IsStoreCall(span, "INSERT")) >= 3;

    /// <summary>A client span of the SQLite store (the AppHost runs both services on SQLite files).</summary>
    private static bool IsStoreCall(ReceivedSpan span, string operation) =>
        span.Kind == ReceivedSpan.Client && span.Tag("db.system.name") == "sqlite" && span.Tag("db.operation.name") == operation;

    [Fact]
    public async Task The_payment_log_carries_the_trace_and_span_of_its_payment()
    {
        var spans = await system.Telemetry.SpansWhenAsync(
            spans => spans.Any(span => span.Name == "pay invoice" && span.Tag("invoice.id") == "I2"));
        var payInvoice = Assert.Single(spans, span => span.Name == "pay invoice" && span.Tag("invoice.id") == "I2");

        var logs = await system.Telemetry.LogsWhenAsync(payInvoice.TraceId,
            logs => logs.Any(log => log.Message.Contains("I2", StringComparison.Ordinal)));

        var paid = Assert.Single(logs, log => log.Message.StartsWith("Invoice I2 paid", StringComparison.Ordinal));
        Assert.Equal((InvoiceApp, payInvoice.TraceId, payInvoice.SpanId), (paid.Resource, paid.TraceId, paid.SpanId));
        Assert.Equal(("I2", "10.25", "GBP"),
            (paid.Tags.GetValueOrDefault("InvoiceId"), paid.Tags.GetValueOrDefault("Value"), paid.Tags.GetValueOrDefault("Currency")));
    }

    [Fact]
    public async Task Paying_the_same_payment_again_shows_as_a_replay_on_the_provider()
    {
        using var provider = system.App.CreateHttpClient(PaymentProvider);
        using var response = await provider.PostAsJsonAsync("/payments/pay", new { id = "I3", value = 66.13m, currency = "DKK" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var spans = await system.Telemetry.SpansWhenAsync(
            spans => spans.Any(span => span.Name == "record payment" && span.Tag("payment.outcome") == "replayed"));

        var replay = Assert.Single(spans, span => span.Name == "record payment" && span.Tag("payment.outcome") == "replayed");
        Assert.Equal((PaymentProvider, "I3"), (replay.Resource, replay.Tag("payment.id")));
        Assert.Single(spans,
            span => span.Name == "record payment" && span.Tag("payment.id") == "I3" && span.Tag("payment.outcome") == "recorded");
    }
}
