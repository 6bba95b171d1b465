namespace Persistence.Tests;

/// <summary>The claim leases the store tests take.</summary>
public static class Leases
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    /// <summary>Long enough for a few statements on a loaded machine, short enough to wait out.</summary>
    public static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(700);
}
