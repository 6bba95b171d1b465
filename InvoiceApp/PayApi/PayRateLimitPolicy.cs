using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace InvoiceApp.PayApi;

/// <summary>
/// The rate limit of <c>POST /invoices/pay</c>: a fixed window per client address (behind the Ingress, the client's
/// address from X-Forwarded-For when ASPNETCORE_FORWARDEDHEADERS_ENABLED is set). Over it: 429 with Retry-After and
/// a problem document.
/// </summary>
public sealed class PayRateLimitPolicy(IOptions<PayApiOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "pay";

    private readonly PayRateLimitOptions _limits = options.Value.RateLimit;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetFixedWindowLimiter(
            httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = _limits.PermitLimit,
                Window = _limits.Window,
                QueueLimit = _limits.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _limits.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await new TooManyRequestsProblem(
            $"too many pay requests from this client: at most {_limits.PermitLimit} every {_limits.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; try again in {seconds} s")
            .ExecuteAsync(context.HttpContext);
    }
}
