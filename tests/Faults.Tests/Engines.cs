using Persistence.Tests;

namespace Faults.Tests;

public sealed class Engines : TheoryData<string>
{
    public Engines()
    {
        Add(TestDatabase.Sqlite);
        Add(TestDatabase.Postgres);
    }
}
