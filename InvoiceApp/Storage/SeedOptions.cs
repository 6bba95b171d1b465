namespace InvoiceApp.Storage;

/// <summary>
/// The "Seed" section: unpaid invoices made at start for a benchmark (bench/run.sh pays them). Off by default;
/// validated on start.
/// </summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>The largest <see cref="UnpaidInvoices"/> accepted: a benchmark's worth, not a way to fill a disk.</summary>
    public const int MaxUnpaidInvoices = 1_000_000;

    /// <summary>The ids of the seeded invoices are this prefix and 1 to <see cref="UnpaidInvoices"/>.</summary>
    public const string IdPrefix = "seed-";

    /// <summary>What each seeded invoice is worth.</summary>
    public const decimal Value = 10.00m;

    public const string Currency = "EUR";

    /// <summary>
    /// How many unpaid invoices (<c>seed-1</c> to <c>seed-N</c>) to add at start, in one statement; an id that exists
    /// is left as it is, so a restart neither duplicates them nor unpays any. 0 (the default) adds none.
    /// </summary>
    public int UnpaidInvoices { get; set; }
}
