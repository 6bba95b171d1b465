namespace TestSupport;

/// <summary>
/// The system clock moved forward on demand: leases (timed by a SQLite store's clock) run out at once, while timers
/// and elapsed times stay real.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
