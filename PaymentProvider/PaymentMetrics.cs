using System.Diagnostics;
using System.Diagnostics.Metrics;
using PaymentProvider.Model;

namespace PaymentProvider;

/// <summary>The provider's own meter, named after the service so that ServiceDefaults exports it.</summary>
public sealed class PaymentMetrics
{
    public const string Name = "PaymentProvider";

    private readonly Counter<long> _recorded;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _conflicts;

    public PaymentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _recorded = meter.CreateCounter<long>("payments.recorded", "{payment}", "Payments recorded for the first time");
        _replayed = meter.CreateCounter<long>("payments.replayed", "{payment}", "Idempotent replays of a payment already recorded");
        _conflicts = meter.CreateCounter<long>("payments.conflicts", "{payment}", "Requests reusing a payment id with another value or currency");
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
        var activity = Activity.Current;
        activity?.SetTag("payment.id", payment.Id);
        activity?.SetTag("payment.outcome", outcome.ToString().ToLowerInvariant());
    }
}
