namespace InvoiceApp.Payments;

/// <summary><see cref="PaymentProviderClient"/>'s log messages, source-generated: no boxing or parsing of the template per call.</summary>
internal static partial class ProviderClientLog
{
    [LoggerMessage(LogLevel.Debug, "payment-provider's error body was not readable")]
    public static partial void ErrorBodyUnreadable(ILogger logger, Exception exception);
}
