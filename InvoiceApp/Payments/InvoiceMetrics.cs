using System.Diagnostics;
using System.Diagnostics.Metrics;
using InvoiceApp.Model;

namespace InvoiceApp.Payments;

/// <summary>invoice-app's own activity source and meter, both named after the service so that ServiceDefaults exports them.</summary>
public sealed class InvoiceMetrics
{
    public const string Name = "InvoiceApp";

    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>
    /// Seconds, as OpenTelemetry's own HTTP duration histograms use: the SDK's default buckets (0, 5, 10, 25 ...) suit
    /// milliseconds and would put every payment in the first one.
    /// </summary>
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30];

    private readonly Counter<long> _paid;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _inDoubt;
    private readonly Histogram<double> _duration;

    public InvoiceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _paid = meter.CreateCounter<long>("invoices.paid", "{invoice}", "Invoices paid");
        _failed = meter.CreateCounter<long>("invoices.payment_failures", "{invoice}", "Invoice payments that failed and left the invoice unpaid");
        _inDoubt = meter.CreateCounter<long>("invoices.payments_in_doubt", "{invoice}", "Invoice payments whose outcome is unknown, left in doubt for recovery to settle");
        _duration = meter.CreateHistogram<double>("invoices.pay.duration", "s", "Time to pay one invoice, provider call included",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <param name="outcome"><c>paid</c>, <c>failed</c>, <c>inDoubt</c> or <c>pending</c>.</param>
    public void PaymentFinished(Invoice invoice, string outcome, TimeSpan duration)
    {
        var currency = new KeyValuePair<string, object?>("invoice.currency", invoice.Currency);
        var tag = new KeyValuePair<string, object?>("invoice.outcome", outcome);
        switch (outcome)
        {
            case "paid":
                _paid.Add(1, currency);
                break;
            case "failed":
                _failed.Add(1, currency);
                break;
            case "inDoubt":
                _inDoubt.Add(1, currency);
                break;
        }
        _duration.Record(duration.TotalSeconds, currency, tag);
    }
}
