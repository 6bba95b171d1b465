using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Faults.Tests;

/// <summary>How often the proxy misbehaves, per request; the rest is forwarded faithfully.</summary>
/// <param name="FailRate">Answered 500 without reaching the provider.</param>
/// <param name="DropBeforeRate">Connection dropped before the request reaches the provider.</param>
/// <param name="DropAfterRate">Forwarded, the provider records it, then the connection is dropped: the caller cannot know.</param>
/// <param name="DelayRate">
/// Forwarded, then the answer is held back for <paramref name="Delay"/>, longer than the caller's attempt timeout.
/// </param>
public sealed record FaultPlan(double FailRate, double DropBeforeRate, double DropAfterRate, double DelayRate, TimeSpan Delay)
{
    /// <summary>Added after the provider has recorded a payment: widens the window in which a crash leaves it in doubt.</summary>
    public TimeSpan Latency { get; init; }

    public static readonly FaultPlan Healthy = new(0, 0, 0, 0, TimeSpan.Zero);
}

/// <summary>What the proxy saw of one payment request the provider answered.</summary>
public sealed record ForwardedPayment(string? Id, int Status);

/// <summary>
/// Sits between invoice-app and payment-provider on loopback, like the cluster's Service would, and injects the
/// faults of its <see cref="Plan"/>. Its upstream can change (a restarted provider has a new port); while the
/// upstream is down, connections are dropped as a dead pod's would be.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream =
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private long _requests;
    private long _failed;
    private long _droppedBefore;
    private long _droppedAfter;
    private long _delayed;
    private long _upstreamDown;

    private FaultProxy(WebApplication app, int seed)
    {
        _app = app;
        _random = new Random(seed);
    }

    public Uri Address { get; private set; } = null!;

    private volatile FaultPlan _plan = FaultPlan.Healthy;
    private volatile Uri? _upstreamAddress;

    /// <summary>The faults to inject from now on.</summary>
    public FaultPlan Plan
    {
        get => _plan;
        set => _plan = value;
    }

    /// <summary>The provider's address; null while it is down.</summary>
    public Uri? Upstream
    {
        get => _upstreamAddress;
        set => _upstreamAddress = value;
    }

    public ConcurrentQueue<ForwardedPayment> Payments { get; } = new();

    public long Requests => Interlocked.Read(ref _requests);

    public long FaultsInjected =>
        Interlocked.Read(ref _failed) + Interlocked.Read(ref _droppedBefore)
        + Interlocked.Read(ref _droppedAfter) + Interlocked.Read(ref _delayed);

    public long UpstreamDownDrops => Interlocked.Read(ref _upstreamDown);

    public string Describe() =>
        $"{Requests} requests, {FaultsInjected} faults injected (500: {_failed}, dropped before: {_droppedBefore}, " +
        $"dropped after recording: {_droppedAfter}, delayed past timeout: {_delayed}), " +
        $"{UpstreamDownDrops} dropped while the provider was down";

    public static async Task<FaultProxy> StartAsync(int seed, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new FaultProxy(app, seed);
        app.Run(proxy.HandleAsync);
        await app.StartAsync(cancellationToken);
        proxy.Address = new Uri(app.Urls.Single());
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var plan = Plan;
        double roll;
        lock (_randomLock)
        {
            roll = _random.NextDouble();
        }

        if ((roll -= plan.FailRate) < 0)
        {
            Interlocked.Increment(ref _failed);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = "injected fault" });
            return;
        }
        if ((roll -= plan.DropBeforeRate) < 0)
        {
            Interlocked.Increment(ref _droppedBefore);
            context.Abort();
            return;
        }

        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var response = await ForwardAsync(context, body.ToArray());
        if (response is null)
        {
            Interlocked.Increment(ref _upstreamDown);
            context.Abort();
            return;
        }
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (plan.Latency > TimeSpan.Zero)
        {
            await Task.Delay(plan.Latency);
        }
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/payments/pay")
        {
            Payments.Enqueue(new ForwardedPayment(ReadId(body.ToArray()), (int)response.StatusCode));
        }

        if ((roll -= plan.DropAfterRate) < 0)
        {
            Interlocked.Increment(ref _droppedAfter);
            context.Abort();
            return;
        }
        if ((roll -= plan.DelayRate) < 0)
        {
            Interlocked.Increment(ref _delayed);
            try
            {
                await Task.Delay(plan.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up, as it should.
                return;
            }
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }

    private async Task<HttpResponseMessage?> ForwardAsync(HttpContext context, byte[] body)
    {
        if (Upstream is not { } upstream)
        {
            return null;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method),
            new Uri(upstream, context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent()));
        if (body.Length > 0 || context.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }
        try
        {
            // Not the caller's token: once sent, the provider's answer is awaited even if the caller gives up.
            return await _upstream.SendAsync(request, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static string? ReadId(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
