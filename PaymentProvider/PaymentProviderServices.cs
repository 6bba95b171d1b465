using PaymentProvider.Storage;
using Persistence;

namespace PaymentProvider;

public static class PaymentProviderServices
{
    public static IHostApplicationBuilder AddPaymentProvider(this IHostApplicationBuilder builder)
    {
        builder.AddDatabase("paymentsdb", SqlPaymentStore.ReadinessQuery);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, PaymentJsonContext.Default);
            // As the source-generated contract reads numbers (a string is a wrong type), so the OpenAPI schemas say so too.
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IPaymentStore, SqlPaymentStore>();
        builder.Services.AddSingleton<PaymentMetrics>();
        return builder;
    }

    public static Task InitializePaymentStoreAsync(this WebApplication app) =>
        app.Services.GetRequiredService<IPaymentStore>().InitializeAsync(app.Lifetime.ApplicationStopping);
}
