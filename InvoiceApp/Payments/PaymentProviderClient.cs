using System.Net;
using System.Net.Http.Json;
using InvoiceApp.Model;

namespace InvoiceApp.Payments;

/// <summary>
/// payment-provider's API as invoice-app uses it. The HttpClient comes from ServiceDefaults: its base address is
/// resolved by service discovery and every call runs through the standard resilience handler, inside which
/// <see cref="PaymentAttemptHandler"/> watches each attempt.
/// </summary>
public sealed class PaymentProviderClient(HttpClient http, ILogger<PaymentProviderClient> logger)
{
    /// <summary>The logical address; service discovery maps it to <c>services__payment-provider__http__0</c>.</summary>
    public const string BaseAddress = "https+http://payment-provider";

    /// <summary>
    /// Pays with the invoice id as the payment id, so that paying again can never pay twice. Never throws for the
    /// provider's faults or for <paramref name="cancellationToken"/>: the answer says whether money may have moved.
    /// </summary>
    public async Task<ProviderAnswer> PayAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var attempts = PaymentAttemptHandler.Watch();
        try
        {
            using var response = await http.PostAsJsonAsync("/payments/pay",
                new ProviderPaymentRequest(invoice.InvoiceId, invoice.Value, invoice.Currency),
                ProviderJsonContext.Default.ProviderPaymentRequest, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return ProviderAnswer.Paid;
            }
            var detail = $"payment-provider answered {(int)response.StatusCode}{await ReadErrorAsync(response, cancellationToken)}";
            if ((int)response.StatusCode is >= 400 and < 500)
            {
                // A refusal of these values: an earlier attempt with the same values would have been refused (or replayed) too.
                return ProviderAnswer.Refused(detail);
            }
            return attempts.MayHaveReachedProvider ? ProviderAnswer.Unknown(detail) : ProviderAnswer.Unavailable(detail);
        }
        catch (Exception e) when (IsUnreachable(e) || cancellationToken.IsCancellationRequested)
        {
            var detail = $"payment-provider unreachable: {e.GetType().Name}: {e.Message}";
            return attempts.MayHaveReachedProvider ? ProviderAnswer.Unknown(detail) : ProviderAnswer.Unavailable(detail);
        }
        finally
        {
            PaymentAttemptHandler.StopWatching();
        }
    }

    /// <summary>The provider's record of a payment, or null when it holds none with that id.</summary>
    public async Task<ProviderPayment?> FindAsync(string paymentId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/payments/{Uri.EscapeDataString(paymentId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ProviderJsonContext.Default.ProviderPayment, cancellationToken);
    }

    /// <summary>
    /// The provider could not be reached, did not answer in time or answered something unreadable: a refused or
    /// broken connection, or a call the resilience pipeline cut off (HttpClient reports that as a cancellation).
    /// </summary>
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
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or HttpRequestException)
        {
            ProviderClientLog.ErrorBodyUnreadable(logger, e);
            return "";
        }
    }
}

/// <summary>What one payment call came to.</summary>
public enum ProviderOutcome
{
    /// <summary>The provider answered 2xx: it holds the payment.</summary>
    Paid,

    /// <summary>The provider refused these values (4xx): nothing was paid, and paying again is refused again.</summary>
    Refused,

    /// <summary>Nothing reached the provider, or it failed without recording (5xx): nothing was paid.</summary>
    Unavailable,

    /// <summary>A request may have reached the provider and its answer was lost, late or cut off: the money may have moved.</summary>
    Unknown,
}

/// <summary>The outcome and, for the logs only, what happened.</summary>
public sealed record ProviderAnswer(ProviderOutcome Outcome, string? Detail)
{
    public static readonly ProviderAnswer Paid = new(ProviderOutcome.Paid, null);

    public static ProviderAnswer Refused(string detail) => new(ProviderOutcome.Refused, detail);

    public static ProviderAnswer Unavailable(string detail) => new(ProviderOutcome.Unavailable, detail);

    public static ProviderAnswer Unknown(string detail) => new(ProviderOutcome.Unknown, detail);
}

public sealed record ProviderPaymentRequest(string Id, decimal Value, string Currency);

public sealed record ProviderPayment(string Id, decimal Value, string Currency);

public sealed record ProviderError(string? Error);
