namespace InvoiceApp.Payments;

/// <summary>
/// What the attempts of one payment request (retries included) told: whether any may have reached the provider with
/// its answer lost, and whether any was answered with an error. It travels with the request, in its options, to
/// <see cref="PaymentAttemptHandler"/>.
/// </summary>
public sealed class AttemptLog
{
    public static readonly HttpRequestOptionsKey<AttemptLog> Key = new("invoice-app.attempt-log");

    private int _mayHaveReached;
    private int _answeredError;

    public bool MayHaveReachedProvider => Volatile.Read(ref _mayHaveReached) == 1;

    public bool AnsweredWithError => Volatile.Read(ref _answeredError) == 1;

    internal void MayHaveReached() => Volatile.Write(ref _mayHaveReached, 1);

    internal void AnsweredError() => Volatile.Write(ref _answeredError, 1);
}
