using System.Net;
using System.Net.Http.Json;
using InvoiceApp.Model;

namespace InvoiceApp.Payments;

/// <summary>
/// payment-provider's API as invoice-app uses it. The HttpClient comes from ServiceDefaults: its base address is
/// resolved by service discovery and every call runs through the standard resilience handler.
/// </summary>
public sealed class PaymentProviderClient(HttpClient http)
{
    /// <summary>The logical address; service discovery maps it to <c>services__payment-provider__http__0</c>.</summary>
    public const string BaseAddress = "https+http://payment-provider";

    /// <summary>Pays with the invoice id as the payment id, so that paying again can never pay twice.</summary>
    public async Task<ProviderAnswer> PayAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/payments/pay",
                new ProviderPaymentRequest(invoice.InvoiceId, invoice.Value, invoice.Currency),
                ProviderJsonContext.Default.ProviderPaymentRequest, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return ProviderAnswer.Paid;
            }
            return ProviderAnswer.Failed($"payment-provider answered {(int)response.StatusCode}{await ReadErrorAsync(response, cancellationToken)}");
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            // The payment may or may not have reached the provider: the invoice stays unpaid and the next attempt
            // repays with the same id, which the provider records at most once.
            return ProviderAnswer.Failed($"payment-provider unreachable: {e.Message}");
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
    /// The provider could not be reached or did not answer in time: a refused or broken connection, or a call the
    /// resilience pipeline cut off (HttpClient reports that as a cancellation even though the caller goes on).
    /// Only the caller's own cancellation is not such a fault.
    /// </summary>
    public static bool IsUnreachable(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or TimeoutException or OperationCanceledException or Polly.ExecutionRejectedException
        && !cancellationToken.IsCancellationRequested;

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync(ProviderJsonContext.Default.ProviderError, cancellationToken);
            return string.IsNullOrEmpty(error?.Error) ? "" : $": {error.Error}";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or HttpRequestException)
        {
            return "";
        }
    }
}

public sealed record ProviderAnswer(bool IsPaid, string? Reason)
{
    public static readonly ProviderAnswer Paid = new(true, null);

    public static ProviderAnswer Failed(string reason) => new(false, reason);
}

public sealed record ProviderPaymentRequest(string Id, decimal Value, string Currency);

public sealed record ProviderPayment(string Id, decimal Value, string Currency);

public sealed record ProviderError(string? Error);
