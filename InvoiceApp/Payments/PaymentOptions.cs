namespace InvoiceApp.Payments;

/// <summary>How invoice-app pays; bound to the "Payments" section and validated on start.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>
    /// How long a claim on an invoice lasts. After it, a process whose attempt died with it is presumed gone and
    /// another settles the invoice. It must outlast one whole provider call, retries included.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often interrupted payments (claims whose lease ran out) are looked for and settled.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Payments to the provider in flight at once from one <c>POST /invoices/pay</c>.</summary>
    public int MaxParallelPayments { get; set; } = 4;

    /// <summary>Seeds I1, I2 and I3 into an empty store, as the original service did.</summary>
    public bool SeedDemoInvoices { get; set; } = true;
}
