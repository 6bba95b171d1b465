using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace InvoiceApp.PayApi;

/// <summary>Guards the endpoint that moves money; reading invoices is left to the edge's limits.</summary>
public static partial class PayApiProtection
{
    public const string KeyScheme = "payApiKey";

    public static IHostApplicationBuilder AddPayApiProtection(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<PayApiOptions>()
            .Bind(builder.Configuration.GetSection(PayApiOptions.Section))
            .Validate(o => o.ApiKey is not null || o.AllowAnonymous || development,
                "PayApi:ApiKey is not set: outside Development POST /invoices/pay moves money only for callers with the key. "
                + "Set PayApi:ApiKey (PayApi__ApiKey), or set PayApi:AllowAnonymous=true to run the endpoint open on purpose")
            .Validate(o => o.ApiKey is null || IsUsableKey(o.ApiKey),
                "PayApi:ApiKey, when set, must be at least 16 characters with no whitespace or control characters "
                + "(a trailing newline from a file is a common slip)")
            .ValidateLimits(o => o.RateLimit, "PayApi:RateLimit")
            .ValidateLimits(o => o.UnauthorizedRateLimit, "PayApi:UnauthorizedRateLimit")
            .ValidateOnStart();
        builder.Services.AddSingleton<PayApiKey>();
        builder.Services.ConfigureAll<OpenApiOptions>(openApi => openApi.AddDocumentTransformer(DeclareKeyScheme));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy<string, PayRateLimitPolicy>(PayRateLimitPolicy.Name);
        });
        return builder;
    }

    /// <summary>Puts the rate limiter in the pipeline and warns when the pay endpoint runs open outside Development.</summary>
    public static WebApplication UsePayApiProtection(this WebApplication app)
    {
        app.UseRateLimiter();
        if (app.Services.GetRequiredService<IOptions<PayApiOptions>>().Value.ApiKey is null && !app.Environment.IsDevelopment())
        {
            LogOpenPayEndpoint(app.Logger, app.Environment.EnvironmentName);
        }
        return app;
    }

    /// <summary>Applies the rate limits and the key to the pay endpoint; its handler stays as it is.</summary>
    public static RouteHandlerBuilder RequirePayApiProtection(this RouteHandlerBuilder pay) =>
        pay.RequireRateLimiting(PayRateLimitPolicy.Name)
            .AddEndpointFilter<PayApiKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                operation.Security = [new() { [new OpenApiSecuritySchemeReference(KeyScheme, context.Document)] = [] }];
                return Task.CompletedTask;
            });

    // Declared in the document so that the API page can send the key with a pay call.
    private static Task DeclareKeyScheme(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken _)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[KeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "PayApi:ApiKey, sent as Authorization: Bearer <key>; without one configured (Development) any call may pay.",
        };
        return Task.CompletedTask;
    }

    private static bool IsUsableKey(string key) =>
        key.Length >= 16 && !key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static OptionsBuilder<PayApiOptions> ValidateLimits(
        this OptionsBuilder<PayApiOptions> options, Func<PayApiOptions, PayRateLimitOptions> limits, string section) =>
        options
            .Validate(o => limits(o).PermitLimit is >= 1 and <= 1_000_000, $"{section}:PermitLimit must be 1 to 1000000")
            .Validate(o => limits(o).Window > TimeSpan.Zero && limits(o).Window <= TimeSpan.FromDays(1),
                $"{section}:Window must be positive and at most a day")
            .Validate(o => limits(o).QueueLimit is >= 0 and <= 10_000, $"{section}:QueueLimit must be 0 to 10000");

    [LoggerMessage(LogLevel.Warning,
        "PayApi:AllowAnonymous is set and PayApi:ApiKey is not: "
        + "POST /invoices/pay accepts calls without a credential in environment {Environment}")]
    private static partial void LogOpenPayEndpoint(ILogger logger, string environment);
}
