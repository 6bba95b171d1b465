using System.Diagnostics;
using System.Diagnostics.Metrics;
using InvoiceApp.Model;
using InvoiceApp.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace InvoiceApp.Tests;

/// <summary>
/// How each way a payment can end shows on its <c>pay invoice</c> span and in invoice-app's meter: the names, tags and
/// statuses that docs/observability.md promises and the dashboard tests read.
/// </summary>
public sealed class PaymentOutcomeTelemetryTests
{
    private static readonly Invoice Invoice = new("I1", 12.15m, "EUR", false);

    [Fact]
    public void A_paid_invoice_is_counted_paid_and_its_span_is_no_error()
    {
        var (span, measurements) = Finish(new PaymentOutcome.Paid(Invoice.AsPaid(), Attempt: 1));

        Assert.Equal(("paid", ActivityStatusCode.Unset), (span.GetTagItem("invoice.outcome"), span.Status));
        Assert.Equal([("invoices.paid", "EUR", null), ("invoices.pay.duration", "EUR", "paid")], measurements);
    }

    [Fact]
    public void A_refused_payment_keeps_the_providers_answer_on_its_span_and_is_counted_failed()
    {
        var answer = "payment-provider answered 409: payment I1 is already recorded with another value or currency";
        var (span, measurements) = Finish(
            new PaymentOutcome.Failed("I1", PublicReason.ProviderRefused, new PaymentCause.ProviderAnswered(answer)));

        Assert.Equal(("failed", ActivityStatusCode.Error, answer),
            (span.GetTagItem("invoice.outcome"), span.Status, span.StatusDescription));
        Assert.Equal([("invoices.payment_failures", "EUR", null), ("invoices.pay.duration", "EUR", "failed")], measurements);
    }

    [Fact]
    public void A_payment_in_doubt_after_a_store_error_shows_only_the_public_reason_and_is_counted_in_doubt()
    {
        var (span, measurements) = Finish(new PaymentOutcome.InDoubt("I1", PublicReason.StoreError,
            new PaymentCause.StoreFailed([new InvalidOperationException("connection to 10.0.0.5 lost")])));

        Assert.Equal(("inDoubt", ActivityStatusCode.Error, PublicReason.StoreError),
            (span.GetTagItem("invoice.outcome"), span.Status, span.StatusDescription));
        Assert.Equal([("invoices.payments_in_doubt", "EUR", null), ("invoices.pay.duration", "EUR", "inDoubt")], measurements);
    }

    [Fact]
    public void A_conflicting_payment_found_by_the_lookup_fails_with_the_public_reason()
    {
        var recorded = new ProviderPayment("I1", 99m, "EUR");
        var (span, measurements) = Finish(
            new PaymentOutcome.Failed("I1", PublicReason.ProviderRefused, new PaymentCause.ConflictingPayment(recorded, Invoice)));

        Assert.Equal((ActivityStatusCode.Error, PublicReason.ProviderRefused), (span.Status, span.StatusDescription));
        Assert.Equal([("invoices.payment_failures", "EUR", null), ("invoices.pay.duration", "EUR", "failed")], measurements);
    }

    [Fact]
    public void An_invoice_another_call_is_paying_is_timed_as_pending_and_counted_nowhere()
    {
        var (span, measurements) = Finish(new PaymentOutcome.Pending("I1", PublicReason.BeingPaid));

        Assert.Equal(("pending", ActivityStatusCode.Unset), (span.GetTagItem("invoice.outcome"), span.Status));
        Assert.Equal([("invoices.pay.duration", "EUR", "pending")], measurements);
    }

    [Fact]
    public void A_claim_recovery_released_is_tagged_on_its_span_but_is_no_payment_to_measure()
    {
        var (span, measurements) = Finish(new PaymentOutcome.Settled("I1"));

        Assert.Equal(("released", ActivityStatusCode.Unset), (span.GetTagItem("invoice.outcome"), span.Status));
        Assert.Empty(measurements);
    }

    /// <summary>Ends a "pay invoice" span with <paramref name="outcome"/> and returns what the meter measured.</summary>
    private static (Activity Span, List<(string Instrument, string? Currency, string? Outcome)> Measurements) Finish(PaymentOutcome outcome)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new InvoiceMetrics(meterFactory);
        var measurements = new List<(string, string?, string?)>();
        using var listener = new MeterListener
        {
            // Only this test's meter: other tests' meters live in other factories.
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Add(Describe(instrument, tags)));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Add(Describe(instrument, tags)));
        listener.Start();

        var span = new Activity("pay invoice");
        metrics.PaymentFinished(span, Invoice, outcome, TimeSpan.FromMilliseconds(40));
        return (span, measurements);
    }

    private static (string, string?, string?) Describe(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? currency = null, outcome = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "invoice.currency": currency = (string?)tag.Value; break;
                case "invoice.outcome": outcome = (string?)tag.Value; break;
            }
        }
        return (instrument.Name, currency, outcome);
    }
}
