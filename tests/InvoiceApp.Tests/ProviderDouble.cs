using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace InvoiceApp.Tests;

/// <summary>What the provider does with a payment of one invoice.</summary>
public enum ProviderBehaviour
{
    /// <summary>The real provider records it and answers.</summary>
    Healthy,

    /// <summary>The provider answers 500 without recording anything.</summary>
    Fails,

    /// <summary>The provider never answers (until the caller gives up).</summary>
    Hangs,

    /// <summary>The provider records the payment but its answer is lost: the caller sees a 500.</summary>
    RecordsThenFails,
}

/// <summary>
/// Stands between invoice-app and the real payment-provider (in memory): forwards each request, and per invoice
/// id can fail, hang, lose the answer or hold it back. It counts the payment requests that reach the provider.
/// </summary>
public sealed class ProviderDouble(HttpMessageHandler provider) : DelegatingHandler(provider)
{
    private readonly ConcurrentDictionary<string, ProviderBehaviour> _behaviour = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new();
    private readonly ConcurrentDictionary<string, int> _paymentRequests = new();

    public void Set(string invoiceId, ProviderBehaviour behaviour) => _behaviour[invoiceId] = behaviour;

    public void SetAll(ProviderBehaviour behaviour)
    {
        foreach (var id in new[] { "I1", "I2", "I3" })
        {
            Set(id, behaviour);
        }
    }

    /// <summary>The provider records the payment, then its answer waits until <see cref="Release"/>.</summary>
    public void HoldAnswer(string invoiceId) => _held[invoiceId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string invoiceId) => _held[invoiceId].TrySetResult();

    /// <summary>Payment requests the provider answered for this id (each of which it recorded or replayed).</summary>
    public int PaymentRequests(string invoiceId) => _paymentRequests.GetValueOrDefault(invoiceId);

    public int TotalPaymentRequests => _paymentRequests.Values.Sum();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath != "/payments/pay")
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        switch (_behaviour.GetValueOrDefault(id))
        {
            case ProviderBehaviour.Fails:
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("""{"error":"provider crashed"}""") };
            case ProviderBehaviour.Hangs:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
        }

        var response = await base.SendAsync(request, cancellationToken);
        _paymentRequests.AddOrUpdate(id, 1, (_, count) => count + 1);
        if (_held.TryGetValue(id, out var held))
        {
            await held.Task.WaitAsync(cancellationToken);
        }
        if (_behaviour.GetValueOrDefault(id) == ProviderBehaviour.RecordsThenFails)
        {
            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("""{"error":"answer lost"}""") };
        }
        return response;
    }
}
