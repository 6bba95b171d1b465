using Xunit;

namespace TestSupport;

/// <summary>What every test reads of its run; test projects import it statically (tests/Directory.Build.props).</summary>
public static class TestRun
{
    /// <summary>Cancelled when the test is cancelled or times out: every await of a test passes it.</summary>
    public static CancellationToken Cancel => TestContext.Current.CancellationToken;
}
