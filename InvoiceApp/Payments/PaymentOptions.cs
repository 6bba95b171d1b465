namespace InvoiceApp.Payments;

/// <summary>How invoice-app pays; bound to the "Payments" section and validated on start.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>Added to <see cref="DrainTimeout"/> for the shutdown: time to record the outcomes and answer.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>After it, a holder is presumed gone and another settles the invoice; it must outlast one whole provider
    /// call, retries included, and is renewed before a payment that comes later than its claim.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often expired claims (interrupted payments and payments in doubt) are looked for and settled.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Payments to the provider in flight at once from one <c>POST /invoices/pay</c>.</summary>
    public int MaxParallelPayments { get; set; } = 16;

    /// <summary>Seeds I1, I2 and I3 into an empty store, as the original service did.</summary>
    public bool SeedDemoInvoices { get; set; } = true;

    /// <summary>After SIGTERM, how long payments in flight may finish before they are cut off and in doubt; the pod's
    /// grace period must outlast it plus <see cref="ShutdownMargin"/>.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
