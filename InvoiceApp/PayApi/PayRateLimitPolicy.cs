using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace InvoiceApp.PayApi;

/// <summary>Calls with the valid key share its budget; calls without it spend one per client address, so nobody
/// without the key can lock its holder out. Where no key is required, each address has <c>PayApi:RateLimit</c>.</summary>
public sealed class PayRateLimitPolicy(IOptions<PayApiOptions> options, PayApiKey key) : IRateLimiterPolicy<string>
{
    public const string Name = "pay";

    private const string UnauthorizedPrefix = "unauthorized:";

    private readonly PayApiOptions _options = options.Value;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var address = httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return key.Judge(httpContext.Request) switch
        {
            PresentedKey.Valid => Window("key", _options.RateLimit),
            PresentedKey.NotRequired => Window($"client:{address}", _options.RateLimit),
            _ => Window(UnauthorizedPrefix + address, _options.UnauthorizedRateLimit with { QueueLimit = 0 }),
        };
    }

    private static RateLimitPartition<string> Window(string partition, PayRateLimitOptions limits) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.PermitLimit,
            Window = limits.Window,
            QueueLimit = limits.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var unauthorized = key.Judge(context.HttpContext.Request) is PresentedKey.Missing or PresentedKey.Wrong;
        var limits = unauthorized ? _options.UnauthorizedRateLimit : _options.RateLimit;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var window = limits.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var error = unauthorized
            ? "too many pay requests without a valid API key from this client: "
                + $"at most {limits.PermitLimit} every {window} s; try again in {seconds} s"
            : $"too many pay requests from this client: at most {limits.PermitLimit} every {window} s; try again in {seconds} s";
        await new TooManyRequestsProblem(error).ExecuteAsync(context.HttpContext);
    }
}
