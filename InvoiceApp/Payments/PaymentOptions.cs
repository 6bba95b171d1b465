namespace InvoiceApp.Payments;

/// <summary>How invoice-app pays; bound to the "Payments" section and validated on start.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>What the host's shutdown timeout adds to <see cref="DrainTimeout"/>: recording the payments' outcomes and answering.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a claim on an invoice lasts. After it, a process whose attempt died with it is presumed gone and
    /// another settles the invoice. It must outlast one whole provider call, retries included; the holder renews
    /// it before a payment call that comes later than its claim (after a lookup, or after waiting in its batch).
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often expired claims (interrupted payments and payments in doubt) are looked for and settled.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Payments to the provider in flight at once from one <c>POST /invoices/pay</c>.</summary>
    public int MaxParallelPayments { get; set; } = 16;

    /// <summary>Seeds I1, I2 and I3 into an empty store, as the original service did.</summary>
    public bool SeedDemoInvoices { get; set; } = true;

    /// <summary>
    /// After SIGTERM: how long payments in flight may take to finish. New pay calls are refused (503) at once;
    /// a payment still waiting for the provider at the deadline is cut off and reported in doubt. The host's
    /// shutdown timeout is this plus <see cref="ShutdownMargin"/>, and the pod's grace period must be longer still.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
