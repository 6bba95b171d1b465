using Xunit;

namespace TestSupport;

/// <summary>Both engines a service can be configured with: every store and fault test runs on each.</summary>
public sealed class Engines : TheoryData<string>
{
    public Engines()
    {
        Add(TestDatabase.Sqlite);
        Add(TestDatabase.Postgres);
    }
}
