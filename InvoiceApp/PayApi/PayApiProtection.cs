using Microsoft.Extensions.Options;

namespace InvoiceApp.PayApi;

/// <summary>
/// Guards the endpoint that moves money: a rate limit per client and, when <c>PayApi:ApiKey</c> is set, a bearer
/// key. Reading invoices stays open and unlimited.
/// </summary>
public static partial class PayApiProtection
{
    public static IHostApplicationBuilder AddPayApiProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PayApiOptions>()
            .Bind(builder.Configuration.GetSection(PayApiOptions.Section))
            .Validate(o => o.ApiKey is null || IsUsableKey(o.ApiKey),
                "PayApi:ApiKey, when set, must be at least 16 characters with no whitespace or control characters (a trailing newline from a file is a common slip)")
            .Validate(o => o.RateLimit.PermitLimit is >= 1 and <= 1_000_000, "PayApi:RateLimit:PermitLimit must be 1 to 1000000")
            .Validate(o => o.RateLimit.Window > TimeSpan.Zero && o.RateLimit.Window <= TimeSpan.FromDays(1), "PayApi:RateLimit:Window must be positive and at most a day")
            .Validate(o => o.RateLimit.QueueLimit is >= 0 and <= 10_000, "PayApi:RateLimit:QueueLimit must be 0 to 10000")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy<string, PayRateLimitPolicy>(PayRateLimitPolicy.Name);
        });
        return builder;
    }

    /// <summary>Puts the rate limiter in the pipeline and warns when the pay endpoint is open outside Development.</summary>
    public static WebApplication UsePayApiProtection(this WebApplication app)
    {
        app.UseRateLimiter();
        if (app.Services.GetRequiredService<IOptions<PayApiOptions>>().Value.ApiKey is null && !app.Environment.IsDevelopment())
        {
            LogOpenPayEndpoint(app.Logger, app.Environment.EnvironmentName);
        }
        return app;
    }

    /// <summary>Applies the rate limit and the key to the pay endpoint; its handler stays as it is.</summary>
    public static RouteHandlerBuilder RequirePayApiProtection(this RouteHandlerBuilder pay) =>
        pay.RequireRateLimiting(PayRateLimitPolicy.Name)
            .AddEndpointFilter<PayApiKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static bool IsUsableKey(string key) =>
        key.Length >= 16 && !key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    [LoggerMessage(LogLevel.Warning, "PayApi:ApiKey is not set: POST /invoices/pay accepts calls without a credential in environment {Environment}")]
    private static partial void LogOpenPayEndpoint(ILogger logger, string environment);
}
