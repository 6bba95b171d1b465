namespace Bench;

/// <summary>
/// The seeded invoices paid end to end: how fast, and the calls of <c>POST /invoices/pay</c> it took, by status
/// (<c>1x200</c>, or <c>3x202,1x200</c> when a call answered before every invoice was paid).
/// </summary>
public sealed record PayResult(double InvoicesPerSecond, TimeSpan Elapsed, IReadOnlyList<int> Statuses)
{
    public static PayResult Of(int invoices, TimeSpan elapsed, IReadOnlyList<int> statuses) =>
        new(invoices / elapsed.TotalSeconds, elapsed, statuses);

    public string Calls => string.Join(',', Statuses.GroupBy(status => status).OrderBy(group => group.Key)
        .Select(group => $"{group.Count()}x{group.Key}"));
}
