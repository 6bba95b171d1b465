namespace InvoiceApp.Storage;

/// <summary>Unpaid invoices made at start for a benchmark (bench/run.sh pays them); off by default.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    // A benchmark's worth, not a way to fill a disk.
    public const int MaxUnpaidInvoices = 1_000_000;

    public const string IdPrefix = "seed-";

    public const decimal Value = 10.00m;

    public const string Currency = "EUR";

    /// <summary>seed-1 to seed-N; an id that exists is left as it is, so a restart neither duplicates nor unpays any.</summary>
    public int UnpaidInvoices { get; set; }
}
