namespace Persistence.Tests;

/// <summary>A replica's clock that is off by <paramref name="offset"/>.</summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
