extern alias PaymentProviderService;

namespace TestSupport;

/// <summary>payment-provider in memory, with a SQLite file of its own.</summary>
public sealed class PaymentProviderFactory() : ServiceFactory<PaymentProviderService::Program>("paymentsdb", "payments.db");
