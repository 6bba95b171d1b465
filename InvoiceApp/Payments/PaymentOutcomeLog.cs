namespace InvoiceApp.Payments;

/// <summary>The one log line (two for a double store failure) of each payment outcome, written inside its span.</summary>
public sealed partial class PaymentOutcomeLog(ILogger<PaymentOutcomeLog> logger)
{
    public PaymentOutcome Logged(PaymentOutcome outcome)
    {
        switch (outcome)
        {
            case PaymentOutcome.Paid paid:
                LogPaid(paid.InvoiceId, paid.Invoice.Value, paid.Invoice.Currency, paid.Attempt);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.ProviderAnswered answered }:
                LogPaymentFailed(outcome.InvoiceId, answered.Detail);
                break;
            case PaymentOutcome.InDoubt { Cause: PaymentCause.ProviderAnswered answered }:
                LogInDoubt(outcome.InvoiceId, answered.Detail);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.StoreFailed failed }:
                LogStoreErrors(outcome.InvoiceId, failed);
                break;
            case PaymentOutcome.InDoubt { Cause: PaymentCause.StoreFailed failed }:
                LogStoreErrors(outcome.InvoiceId, failed);
                break;
            case PaymentOutcome.Failed { Cause: PaymentCause.ConflictingPayment { Recorded: var recorded, Invoice: var invoice } }:
                LogConflictingPayment(invoice.InvoiceId, recorded.Value, recorded.Currency, invoice.Value, invoice.Currency);
                break;
        }
        return outcome;
    }

    /// <summary>A lookup that could not be made leaves no other trace.</summary>
    public void LookupFailed(string invoiceId, string reason) => LogLookupFailed(invoiceId, reason);

    private void LogStoreErrors(string invoiceId, PaymentCause.StoreFailed failed)
    {
        foreach (var error in failed.Errors)
        {
            LogStoreError(error, invoiceId);
        }
    }

    // One line per paid invoice, in the payment's trace: the audit trail an operator searches by invoice id.
    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceId} paid: {Value} {Currency} (attempt {Attempt})")]
    private partial void LogPaid(string invoiceId, decimal value, string currency, int attempt);

    [LoggerMessage(LogLevel.Error,
        "Store error while paying invoice {InvoiceId}; its claim stays until the lease ends and recovery settles it")]
    private partial void LogStoreError(Exception exception, string invoiceId);

    [LoggerMessage(LogLevel.Warning, "Invoice {InvoiceId} stays unpaid: {Detail}")]
    private partial void LogPaymentFailed(string invoiceId, string detail);

    [LoggerMessage(LogLevel.Warning, "Payment of invoice {InvoiceId} is in doubt, recovery settles it once its lease ends: {Detail}")]
    private partial void LogInDoubt(string invoiceId, string detail);

    [LoggerMessage(LogLevel.Warning, "Could not ask payment-provider about {InvoiceId}: {Reason}")]
    private partial void LogLookupFailed(string invoiceId, string reason);

    [LoggerMessage(LogLevel.Error,
        "payment-provider holds payment {InvoiceId} as {RecordedValue} {RecordedCurrency}, but the invoice is {Value} {Currency}")]
    private partial void LogConflictingPayment(string invoiceId, decimal recordedValue, string recordedCurrency, decimal value,
        string currency);
}
