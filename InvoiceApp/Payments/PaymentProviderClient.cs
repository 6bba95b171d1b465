using System.Net;
using System.Net.Http.Json;
using InvoiceApp.Model;

namespace InvoiceApp.Payments;

/// <summary>Discovery resolves the address and the resilience handler wraps each call, with
/// <see cref="PaymentAttemptHandler"/> watching each attempt inside it.</summary>
public sealed class PaymentProviderClient(HttpClient http, ILogger<PaymentProviderClient> logger)
{
    /// <summary>The logical address; service discovery maps it to <c>services__payment-provider__http__0</c>.</summary>
    public const string BaseAddress = "https+http://payment-provider";

    /// <summary>The invoice id is the payment id, so paying again cannot pay twice; never throws for the provider's faults.</summary>
    public async Task<ProviderAnswer> PayAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var attempts = new AttemptLog();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/pay")
        {
            Content = JsonContent.Create(new ProviderPaymentRequest(invoice.InvoiceId, invoice.Value, invoice.Currency),
                ProviderJsonContext.Default.ProviderPaymentRequest),
        };
        request.Options.Set(AttemptLog.Key, attempts);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new ProviderAnswer.Paid();
            }
            var detail = $"payment-provider answered {(int)response.StatusCode}{await ReadErrorAsync(response, cancellationToken)}";
            if ((int)response.StatusCode is >= 400 and < 500)
            {
                // A refusal of these values: an earlier attempt with the same values would have been refused (or replayed) too.
                return new ProviderAnswer.Refused(detail);
            }
            return Unanswered(attempts, detail) ?? new ProviderAnswer.Unconfirmed(detail);
        }
        catch (Exception e) when (IsUnreachable(e) || cancellationToken.IsCancellationRequested)
        {
            var detail = $"payment-provider unreachable: {e.GetType().Name}: {e.Message}";
            return Unanswered(attempts, detail) ?? new ProviderAnswer.Unavailable(detail);
        }
    }

    /// <summary>An attempt cut off in flight: unknown until the lease ends; one answered with an error: a lookup decides.</summary>
    private static ProviderAnswer? Unanswered(AttemptLog attempts, string detail) =>
        attempts.MayHaveReachedProvider ? new ProviderAnswer.Unknown(detail)
        : attempts.AnsweredWithError ? new ProviderAnswer.Unconfirmed(detail)
        : null;

    /// <summary>Never throws when the provider cannot be asked: the lookup says so.</summary>
    public async Task<ProviderLookup> LookUpAsync(string paymentId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/payments/{Uri.EscapeDataString(paymentId)}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new ProviderLookup.HoldsNone();
            }
            response.EnsureSuccessStatusCode();
            // A 200 without a payment in it tells nothing: asked, but not answered.
            return await response.Content.ReadFromJsonAsync(ProviderJsonContext.Default.ProviderPayment, cancellationToken) is { } payment
                ? new ProviderLookup.Holds(payment)
                : new ProviderLookup.Unknown("payment-provider answered 200 without a payment");
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            return new ProviderLookup.Unknown(e.Message);
        }
    }

    /// <summary>Includes a call the resilience pipeline cut off, which HttpClient reports as a cancellation.</summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is HttpRequestException or TimeoutException or OperationCanceledException or Polly.ExecutionRejectedException
            or System.Text.Json.JsonException;

    private async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync(ProviderJsonContext.Default.ProviderError, cancellationToken);
            return string.IsNullOrEmpty(error?.Error) ? "" : $": {error.Error}";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException
            or HttpRequestException)
        {
            ProviderClientLog.ErrorBodyUnreadable(logger, e);
            return "";
        }
    }
}

/// <summary>What one payment call came to; all but <see cref="Paid"/> carry, for the logs and the span only, what happened.</summary>
public abstract record ProviderAnswer
{
    private ProviderAnswer() { }

    /// <summary>The provider answered 2xx: it holds the payment.</summary>
    public sealed record Paid : ProviderAnswer;

    /// <summary>The provider refused these values (4xx): nothing was paid, and paying again is refused again.</summary>
    public sealed record Refused(string Detail) : ProviderAnswer;

    /// <summary>Nothing reached the provider: nothing was paid.</summary>
    public sealed record Unavailable(string Detail) : ProviderAnswer;

    /// <summary>It answered an error (a 5xx) that proves neither payment nor refusal: a lookup tells which.</summary>
    public sealed record Unconfirmed(string Detail) : ProviderAnswer;

    /// <summary>A request may have reached the provider and its answer was lost, late or cut off: the money may have moved.</summary>
    public sealed record Unknown(string Detail) : ProviderAnswer;
}

/// <summary>What the provider holds under a payment id, as far as it could be asked.</summary>
public abstract record ProviderLookup
{
    private ProviderLookup() { }

    /// <summary>It holds this payment (possibly with other values than the invoice's).</summary>
    public sealed record Holds(ProviderPayment Payment) : ProviderLookup;

    /// <summary>It holds none: nothing was paid under that id.</summary>
    public sealed record HoldsNone : ProviderLookup;

    /// <summary>It could not be asked; <paramref name="Reason"/> says why, for the logs.</summary>
    public sealed record Unknown(string Reason) : ProviderLookup;
}

public sealed record ProviderPaymentRequest(string Id, decimal Value, string Currency);

public sealed record ProviderPayment(string Id, decimal Value, string Currency);

public sealed record ProviderError(string? Error);
