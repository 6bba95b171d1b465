namespace Bench;

/// <summary>Start-up times of one service and build, in ms: the median and the range.</summary>
public sealed record Startup(double MedianMilliseconds, double MinMilliseconds, double MaxMilliseconds)
{
    public static Startup Of(IReadOnlyList<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Startup(median, sorted[0], sorted[^1]);
    }
}
