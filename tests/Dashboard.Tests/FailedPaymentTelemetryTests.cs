using System.Net;
using Microsoft.Playwright;
using static Dashboard.Tests.PaymentSystemWithDashboard;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests;

/// <summary>A payment the provider refuses, as the dashboard shows it: a failed span, a warning, a failure count.</summary>
[Collection(ConflictingPaymentCollection.Name)]
public sealed class FailedPaymentTelemetryTests(ConflictingPaymentSystem system)
{
    [Fact]
    public async Task A_refused_payment_is_a_failed_span_with_the_reason_and_a_conflict_on_the_provider()
    {
        system.AssertPayAnswer(HttpStatusCode.BadGateway, "failed", ["I1"]);

        var spans = await system.Telemetry.SpansWhenAsync(spans =>
            spans.Any(span => span.Name == "record payment" && span.Tag("payment.outcome") == "conflict") &&
            spans.Any(span => span.Name == "pay invoice" && span.Tag("invoice.id") == "I1"));

        var payInvoice = Assert.Single(spans, span => span.Name == "pay invoice" && span.Tag("invoice.id") == "I1");
        Assert.Equal(("failed", ReceivedSpan.Error), (payInvoice.Tag("invoice.outcome"), payInvoice.StatusCode));
        Assert.Contains("409", payInvoice.StatusMessage, StringComparison.Ordinal);

        var call = Assert.Single(spans,
            span => span.ParentSpanId == payInvoice.SpanId && span.Kind == ReceivedSpan.Client && span.Tag("db.system.name") is null);
        var served = Assert.Single(spans, span => span.ParentSpanId == call.SpanId);
        Assert.Equal((PaymentProvider, "409", "conflict"),
            (served.Resource, served.Tag("http.response.status_code"), served.Tag("payment.outcome")));
        var recording = Assert.Single(spans, span => span.ParentSpanId == served.SpanId && span.Name == "record payment");
        Assert.Equal(("I1", "12.15", "conflict"),
            (recording.Tag("payment.id"), recording.Tag("payment.value"), recording.Tag("payment.outcome")));

        var logs = await system.Telemetry.LogsWhenAsync(payInvoice.TraceId,
            logs => logs.Any(log => log.Message.StartsWith("Invoice I1 stays unpaid", StringComparison.Ordinal)));
        var warning = Assert.Single(logs, log => log.Message.StartsWith("Invoice I1 stays unpaid", StringComparison.Ordinal));
        Assert.Equal(payInvoice.SpanId, warning.SpanId);
    }

    [Fact]
    public async Task The_metrics_page_counts_the_failed_payment_beside_the_paid_ones()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await DashboardPages.OpenAsync(chromium, system.DashboardUrl, $"/metrics/resource/{InvoiceApp}");

        await DashboardPages.ExpectInstrumentAsync(page, "InvoiceApp", "invoices.paid");
        await DashboardPages.Instrument(page, "InvoiceApp", "invoices.payment_failures").ClickAsync();
        await Expect(page.GetByText("Invoice payments that failed and left the invoice unpaid")).ToBeVisibleAsync();
        // Its only measurement is I1's: the currency filter offers EUR and none of the paid invoices' currencies.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "EUR", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "GBP", Exact = true })).ToHaveCountAsync(0);
        await DashboardPages.SaveScreenshotAsync(page, "payment-failures.png");
    }
}
