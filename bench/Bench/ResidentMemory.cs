using System.Globalization;

namespace Bench;

/// <summary>Resident memory (VmRSS) of both services, in MB.</summary>
public sealed record ResidentMemory(long InvoiceAppMegabytes, long PaymentProviderMegabytes)
{
    /// <summary>VmRSS of <c>/proc/&lt;pid&gt;/status</c>, which Linux gives in kB.</summary>
    public static long MegabytesOf(string procStatus)
    {
        var line = procStatus.Split('\n').Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);
        return (long)Math.Round(kilobytes / 1024.0, MidpointRounding.AwayFromZero);
    }
}
