namespace Microsoft.Extensions.Hosting;

/// <summary>The port that serves <c>/metrics</c>; unset, no metrics endpoint at all.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    public int? Port { get; set; }
}
