using System.Net;

namespace InvoiceApp.Payments;

/// <summary>Inside the resilience handler, so it sees every attempt: tells a payment that surely failed from one the
/// provider must be asked about and one in doubt until its lease ends.</summary>
public sealed class PaymentAttemptHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(AttemptLog.Key, out var log);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            // A 2xx that the caller then fails to read is a payment made; a gateway's 502/504 may hide one in flight.
            if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
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
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError)
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
}
