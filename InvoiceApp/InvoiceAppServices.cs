using InvoiceApp.Model;
using InvoiceApp.PayApi;
using InvoiceApp.Payments;
using InvoiceApp.Storage;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Persistence;

namespace InvoiceApp;

public static partial class InvoiceAppServices
{
    /// <summary>The invoices the original service started with.</summary>
    public static readonly IReadOnlyList<Invoice> DemoInvoices =
    [
        new("I1", 12.15m, "EUR", false),
        new("I2", 10.25m, "GBP", false),
        new("I3", 66.13m, "DKK", false),
    ];

    public static IHostApplicationBuilder AddInvoiceApp(this IHostApplicationBuilder builder)
    {
        builder.AddDatabase("invoicesdb", SqlInvoiceStore.ReadinessQuery);
        builder.AddPayApiProtection();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, InvoiceJsonContext.Default);
            // As the source-generated contract reads numbers (a string is a wrong type), so the OpenAPI schemas say so too.
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });

        builder.Services.AddOptions<PaymentOptions>()
            .Bind(builder.Configuration.GetSection(PaymentOptions.Section))
            .Validate(o => o.ClaimLease > TimeSpan.Zero, "Payments:ClaimLease must be positive")
            .Validate(o => o.RecoveryInterval > TimeSpan.Zero, "Payments:RecoveryInterval must be positive")
            .Validate(o => o.MaxParallelPayments is >= 1 and <= 64, "Payments:MaxParallelPayments must be 1 to 64")
            .Validate(o => o.ClaimLease > ProviderCallLimit(builder.Configuration),
                "Payments:ClaimLease must outlast one whole provider call (HttpClientResilience:TotalRequestTimeout:Timeout), "
                + "or a live payment could be taken over")
            .Validate(o => o.DrainTimeout > TimeSpan.Zero, "Payments:DrainTimeout must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<SeedOptions>()
            .Bind(builder.Configuration.GetSection(SeedOptions.Section))
            .Validate(o => o.UnpaidInvoices is >= 0 and <= SeedOptions.MaxUnpaidInvoices, "Seed:UnpaidInvoices must be 0 to 1000000")
            .ValidateOnStart();
        // Shutdown waits for the drain, then for recording what the drain cut off and answering.
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<PaymentOptions>>((host, payments) =>
                host.ShutdownTimeout = payments.Value.DrainTimeout + PaymentOptions.ShutdownMargin);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IInvoiceStore, SqlInvoiceStore>();
        builder.Services.AddSingleton<InvoiceMetrics>();
        builder.Services.AddSingleton<PaymentDrain>();
        builder.Services.AddSingleton<PaymentOutcomeLog>();
        builder.Services.AddScoped<ClaimedPayment>();
        builder.Services.AddScoped<ClaimRun>();
        builder.Services.AddScoped<InvoicePayer>();
        builder.Services.AddScoped<ExpiredClaimSettler>();
        builder.Services.AddHostedService<PaymentRecoveryService>();

        // No URL here or in any setting: service discovery resolves the name from services__payment-provider__http__0.
        // The attempt handler goes inside the resilience handler (added to every client first), so it sees each retry.
        builder.Services.AddTransient<PaymentAttemptHandler>();
        builder.Services.AddHttpClient<PaymentProviderClient>(http => http.BaseAddress = new Uri(PaymentProviderClient.BaseAddress))
            .AddHttpMessageHandler<PaymentAttemptHandler>();

        return builder;
    }

    /// <summary>The longest one provider call can take, retries included: the standard handler's total timeout.</summary>
    private static TimeSpan ProviderCallLimit(IConfiguration configuration) =>
        configuration.GetValue<TimeSpan?>("HttpClientResilience:TotalRequestTimeout:Timeout")
        ?? new HttpStandardResilienceOptions().TotalRequestTimeout.Timeout;

    public static async Task InitializeInvoiceStoreAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PaymentOptions>>().Value;
        var store = app.Services.GetRequiredService<IInvoiceStore>();
        await store.InitializeAsync(options.SeedDemoInvoices ? DemoInvoices : [], app.Lifetime.ApplicationStopping);

        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.UnpaidInvoices > 0)
        {
            var added = await store.SeedUnpaidAsync(SeedOptions.IdPrefix, seed.UnpaidInvoices, SeedOptions.Value, SeedOptions.Currency,
                app.Lifetime.ApplicationStopping);
            LogSeeded(app.Logger, added, seed.UnpaidInvoices);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Seed:UnpaidInvoices is set (benchmark data): added {Added} unpaid invoices, of seed-1 to seed-{Count}")]
    private static partial void LogSeeded(ILogger logger, int added, int count);
}
