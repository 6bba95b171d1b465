using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace TestSupport;

/// <summary>What the provider does with a payment of one invoice.</summary>
public enum ProviderBehaviour
{
    /// <summary>The real provider records it and answers.</summary>
    Healthy,

    /// <summary>The provider answers 500 without recording anything.</summary>
    Fails,

    /// <summary>The provider never answers (until the caller gives up).</summary>
    Hangs,

    /// <summary>The provider records the payment but its answer is lost: the connection breaks before it arrives.</summary>
    AnswerLost,

    /// <summary>
    /// Nothing listens where the provider should be: the connection is refused (a real refusal, on a closed loopback port).
    /// </summary>
    Unreachable,

    /// <summary>The provider records the payment, then answers 500 (a crash after the commit, a proxy's error).</summary>
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
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _heldLookups = new();
    private readonly ConcurrentDictionary<string, int> _paymentRequests = new();
    private readonly ConcurrentDictionary<string, int> _lookups = new();
    private readonly ConcurrentDictionary<string, bool> _failedLookups = new();

    public void Set(string invoiceId, ProviderBehaviour behaviour) => _behaviour[invoiceId] = behaviour;

    public void SetAll(ProviderBehaviour behaviour)
    {
        foreach (var id in new[] { "I1", "I2", "I3" })
        {
            Set(id, behaviour);
        }
    }

    /// <summary>The provider records the payment, then its answer waits until <see cref="Release"/>.</summary>
    public void HoldAnswer(string invoiceId) =>
        _held[invoiceId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string invoiceId) => _held[invoiceId].TrySetResult();

    /// <summary><c>GET /payments/{id}</c> waits until <see cref="ReleaseLookup"/>, then reaches the provider.</summary>
    public void HoldLookup(string invoiceId) =>
        _heldLookups[invoiceId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseLookup(string invoiceId) => _heldLookups[invoiceId].TrySetResult();

    /// <summary><c>GET /payments/{id}</c> answers 500 for this id: the provider cannot be asked.</summary>
    public void FailLookups(string invoiceId) => _failedLookups[invoiceId] = true;

    /// <summary>Lookups (<c>GET /payments/{id}</c>) that arrived for this id.</summary>
    public int Lookups(string invoiceId) => _lookups.GetValueOrDefault(invoiceId);

    /// <summary>Payment requests the provider answered for this id (each of which it recorded or replayed).</summary>
    public int PaymentRequests(string invoiceId) => _paymentRequests.GetValueOrDefault(invoiceId);

    public int TotalPaymentRequests => _paymentRequests.Values.Sum();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (request.Method == HttpMethod.Get && path.StartsWith("/payments/", StringComparison.Ordinal))
        {
            var lookedUp = Uri.UnescapeDataString(path["/payments/".Length..]);
            _lookups.AddOrUpdate(lookedUp, 1, (_, count) => count + 1);
            if (_heldLookups.TryGetValue(lookedUp, out var heldLookup))
            {
                await heldLookup.Task.WaitAsync(cancellationToken);
            }
            if (_failedLookups.ContainsKey(lookedUp))
            {
                return ServerError("lookup failed");
            }
        }
        if (request.Method != HttpMethod.Post || path != "/payments/pay")
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        switch (_behaviour.GetValueOrDefault(id))
        {
            case ProviderBehaviour.Fails:
                return ServerError("provider crashed");
            case ProviderBehaviour.Hangs:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case ProviderBehaviour.Unreachable:
                return await SendToClosedPortAsync(request, cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        _paymentRequests.AddOrUpdate(id, 1, (_, count) => count + 1);
        if (_held.TryGetValue(id, out var held))
        {
            await held.Task.WaitAsync(cancellationToken);
        }
        switch (_behaviour.GetValueOrDefault(id))
        {
            case ProviderBehaviour.AnswerLost:
                response.Dispose();
                throw new HttpRequestException(
                    HttpRequestError.ResponseEnded, "The response ended prematurely (payment-provider.test:8080)");
            case ProviderBehaviour.RecordsThenFails:
                response.Dispose();
                return ServerError("provider crashed after recording");
        }
        return response;
    }

    private static HttpResponseMessage ServerError(string error) =>
        new(HttpStatusCode.InternalServerError) { Content = new StringContent($$"""{"error":"{{error}}"}""") };

    /// <summary>A real connection attempt to a loopback port nobody listens on: the error the socket layer really gives.</summary>
    private static async Task<HttpResponseMessage> SendToClosedPortAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var direct = new HttpClient();
        using var copy = new HttpRequestMessage(request.Method, new Uri($"http://127.0.0.1:{port}{request.RequestUri!.PathAndQuery}"));
        return await direct.SendAsync(copy, cancellationToken);
    }
}
