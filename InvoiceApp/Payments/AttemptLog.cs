namespace InvoiceApp.Payments;

/// <summary>Whether any attempt of one request (retries included) may have reached the provider with its answer lost,
/// or was answered with an error; it travels in the request's options to <see cref="PaymentAttemptHandler"/>.</summary>
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
