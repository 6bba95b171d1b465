using System.Diagnostics;
using System.Diagnostics.Metrics;
using PaymentProvider.Model;

namespace PaymentProvider;

/// <summary>The provider's own activity source and meter, both named after the service so that ServiceDefaults exports them.</summary>
public sealed class PaymentMetrics
{
    public const string Name = "PaymentProvider";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _recorded;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _conflicts;

    public PaymentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _recorded = meter.CreateCounter<long>("payments.recorded", "{payment}", "Payments recorded for the first time");
        _replayed = meter.CreateCounter<long>("payments.replayed", "{payment}", "Idempotent replays of a payment already recorded");
        _conflicts = meter.CreateCounter<long>("payments.conflicts", "{payment}",
            "Requests reusing a payment id with another value or currency");
    }

    /// <summary>The "record payment" span around the store's write; <see cref="Recorded"/> adds its outcome.</summary>
    public static Activity? StartRecording(PaymentRequestValues payment)
    {
        var activity = ActivitySource.StartActivity("record payment");
        activity?.SetTag("payment.id", payment.Id);
        activity?.SetTag("payment.value", payment.Value);
        activity?.SetTag("payment.currency", payment.Currency);
        return activity;
    }

    public void Recorded(RecordOutcome outcome, PaymentRequestValues payment)
    {
        var currency = new KeyValuePair<string, object?>("payment.currency", payment.Currency);
        switch (outcome)
        {
            case RecordOutcome.Recorded: _recorded.Add(1, currency); break;
            case RecordOutcome.Replayed: _replayed.Add(1, currency); break;
            case RecordOutcome.Conflict: _conflicts.Add(1, currency); break;
        }

        // The outcome goes on the "record payment" span and on the request's server span above it, so that the
        // trace list and a filter on the HTTP span both show whether the payment was recorded, replayed or refused.
        var recording = Activity.Current;
        var name = OutcomeName(outcome);
        Tag(recording, payment.Id, name);
        Tag(recording?.Parent, payment.Id, name);
    }

    private static void Tag(Activity? span, string paymentId, string outcome)
    {
        span?.SetTag("payment.id", paymentId);
        span?.SetTag("payment.outcome", outcome);
    }

    /// <summary>Constant names: no string is built per request on the replay path.</summary>
    private static string OutcomeName(RecordOutcome outcome) => outcome switch
    {
        RecordOutcome.Recorded => "recorded",
        RecordOutcome.Replayed => "replayed",
        _ => "conflict",
    };
}
