namespace InvoiceApp.Storage;

/// <summary>Claims past their lease that no one has settled yet, and how long the oldest has been past it.</summary>
public sealed record UnsettledClaims(long Count, TimeSpan OldestOverdue)
{
    public static readonly UnsettledClaims None = new(0, TimeSpan.Zero);
}
