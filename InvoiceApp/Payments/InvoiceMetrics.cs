using System.Diagnostics;
using System.Diagnostics.Metrics;
using InvoiceApp.Model;
using InvoiceApp.Storage;

namespace InvoiceApp.Payments;

/// <summary>invoice-app's own activity source and meter, both named after the service so that ServiceDefaults exports them.</summary>
public sealed class InvoiceMetrics
{
    public const string Name = "InvoiceApp";

    public static readonly ActivitySource ActivitySource = new(Name);

    // Seconds, as OpenTelemetry's HTTP histograms use: the SDK's default buckets (0, 5, 10, ...) would put every payment in the first.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30];

    private readonly Counter<long> _paid;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _inDoubt;
    private readonly Histogram<double> _duration;
    private readonly TimeProvider _time;
    private volatile Recovery? _lastRecovery;

    public InvoiceMetrics(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var meter = meterFactory.Create(Name);
        _paid = meter.CreateCounter<long>("invoices.paid", "{invoice}", "Invoices paid");
        _failed = meter.CreateCounter<long>(
            "invoices.payment_failures", "{invoice}", "Invoice payments that failed and left the invoice unpaid");
        _inDoubt = meter.CreateCounter<long>(
            "invoices.payments_in_doubt", "{invoice}", "Invoice payments whose outcome is unknown, left in doubt for recovery to settle");
        _duration = meter.CreateHistogram<double>("invoices.pay.duration", "s", "Time to pay one invoice, provider call included",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        // Absent until recovery's first round, so an alert sees no data, not a made-up zero; overdue grows even if recovery stops.
        meter.CreateObservableGauge("invoices.in_doubt", () => ObserveRecovery(r => r.Unsettled.Count), "{invoice}",
            "Payments in doubt past their claim's lease, waiting for recovery to settle them");
        meter.CreateObservableGauge("invoices.in_doubt.overdue", () => ObserveRecovery(r => r.Unsettled.Count == 0 ? 0
                : (r.Unsettled.OldestOverdue + (_time.GetUtcNow() - r.At)).TotalSeconds), "s",
            "How long past its lease the oldest payment in doubt is; 0 when none");
        meter.CreateObservableGauge("invoices.recovery.last_success",
            () => ObserveRecovery(r => r.At.ToUnixTimeMilliseconds() / 1000.0), "s", "Unix time at which recovery last finished a round");
    }

    public void RecoveryFinished(UnsettledClaims unsettled) => _lastRecovery = new Recovery(unsettled, _time.GetUtcNow());

    private IEnumerable<Measurement<T>> ObserveRecovery<T>(Func<Recovery, T> value) where T : struct =>
        _lastRecovery is { } recovery ? [new Measurement<T>(value(recovery))] : [];

    private sealed record Recovery(UnsettledClaims Unsettled, DateTimeOffset At);

    public static Activity? StartPayment(PaymentClaim claim)
    {
        var activity = ActivitySource.StartActivity("pay invoice");
        activity?.SetTag("invoice.id", claim.Invoice.InvoiceId);
        activity?.SetTag("invoice.value", claim.Invoice.Value);
        activity?.SetTag("invoice.currency", claim.Invoice.Currency);
        activity?.SetTag("invoice.attempt", claim.Attempt);
        return activity;
    }

    public void PaymentFinished(Activity? span, Invoice invoice, PaymentOutcome outcome, TimeSpan duration)
    {
        span?.SetTag("invoice.outcome", outcome.Name);
        if (outcome.Error is { } error)
        {
            span?.SetStatus(ActivityStatusCode.Error, error);
        }
        // Recovery released the claim without paying: no payment to count or time.
        if (outcome is PaymentOutcome.Settled)
        {
            return;
        }
        var currency = new KeyValuePair<string, object?>("invoice.currency", invoice.Currency);
        var counter = outcome switch
        {
            PaymentOutcome.Paid => _paid,
            PaymentOutcome.Failed => _failed,
            PaymentOutcome.InDoubt => _inDoubt,
            _ => null,
        };
        counter?.Add(1, currency);
        _duration.Record(duration.TotalSeconds, currency, new KeyValuePair<string, object?>("invoice.outcome", outcome.Name));
    }
}
