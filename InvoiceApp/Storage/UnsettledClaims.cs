namespace InvoiceApp.Storage;

public sealed record UnsettledClaims(long Count, TimeSpan OldestOverdue)
{
    public static readonly UnsettledClaims None = new(0, TimeSpan.Zero);
}
