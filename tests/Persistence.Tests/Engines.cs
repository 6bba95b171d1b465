namespace Persistence.Tests;

/// <summary>Every store test runs on both engines a service can be configured with.</summary>
public sealed class Engines : TheoryData<string>
{
    public Engines()
    {
        Add(TestDatabase.Sqlite);
        Add(TestDatabase.Postgres);
    }
}
