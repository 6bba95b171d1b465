using TestSupport;

namespace ServiceDefaults.Tests;

/// <summary>Both services in memory, for what each gets from ServiceDefaults alike.</summary>
public sealed class BothServices : IDisposable
{
    public const string InvoiceApp = "invoice-app";
    public const string PaymentProvider = "payment-provider";

    private readonly InvoiceAppFactory _invoiceApp = new();
    private readonly PaymentProviderFactory _paymentProvider = new();

    public IServiceFactory this[string service] => service switch
    {
        InvoiceApp => _invoiceApp,
        PaymentProvider => _paymentProvider,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "unknown service"),
    };

    public void Dispose()
    {
        _invoiceApp.Dispose();
        _paymentProvider.Dispose();
    }
}
