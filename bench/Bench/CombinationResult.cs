namespace Bench;

/// <summary>What one store and one build measured; null where the run failed before the figure.</summary>
public sealed class CombinationResult
{
    public WrkResult? Invoices { get; set; }
    public WrkResult? Replay { get; set; }
    public WrkResult? NewPayments { get; set; }
    public WrkResult? InvoiceAppLiveness { get; set; }
    public WrkResult? PaymentProviderLiveness { get; set; }
    public PayResult? Pay { get; set; }
    public ResidentMemory? Idle { get; set; }
    public ResidentMemory? AfterLoad { get; set; }
    public ResidentMemory? AfterPay { get; set; }
}
