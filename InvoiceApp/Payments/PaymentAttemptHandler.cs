namespace InvoiceApp.Payments;

/// <summary>
/// Sits inside the resilience handler, so it sees every attempt (retries included) of a payment, and notes whether
/// any of them may have reached the provider without its answer being known: the difference between a payment
/// that surely failed (released, paid by a later call) and one in doubt (settled by asking the provider).
/// </summary>
public sealed class PaymentAttemptHandler : DelegatingHandler
{
    private static readonly AsyncLocal<AttemptLog?> Current = new();

    /// <summary>Starts watching the attempts of the payment about to be sent from this async flow.</summary>
    public static AttemptLog Watch() => Current.Value = new AttemptLog();

    public static void StopWatching() => Current.Value = null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var log = Current.Value;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            // A 2xx that the caller then fails to read is a payment made; a gateway's 502/504 may hide one.
            if (response.IsSuccessStatusCode || response.StatusCode is System.Net.HttpStatusCode.BadGateway or System.Net.HttpStatusCode.GatewayTimeout)
            {
                log?.MayHaveReached();
            }
            else if ((int)response.StatusCode is < 400 or >= 500)
            {
                // The provider finished with an error: it may have recorded the payment first.
                log?.AnsweredError();
            }
            return response;
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            // No connection: the request never left.
            throw;
        }
        catch
        {
            // Sent, or being sent, when it failed or was cut off: the provider may have recorded it.
            log?.MayHaveReached();
            throw;
        }
    }

    /// <summary>The attempts of one payment.</summary>
    public sealed class AttemptLog
    {
        private int _mayHaveReached;

        private int _answeredError;

        public bool MayHaveReachedProvider => Volatile.Read(ref _mayHaveReached) == 1;

        public bool AnsweredWithError => Volatile.Read(ref _answeredError) == 1;

        internal void MayHaveReached() => Volatile.Write(ref _mayHaveReached, 1);

        internal void AnsweredError() => Volatile.Write(ref _answeredError, 1);
    }
}
