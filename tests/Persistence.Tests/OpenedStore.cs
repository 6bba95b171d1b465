
namespace Persistence.Tests;

/// <summary>A store on a database of its own, opened as a service opens it; disposing drops the database.</summary>
public sealed class OpenedStore<TStore>(TestDatabase db, Database database, TStore store) : IAsyncDisposable
{
    public TestDatabase Db => db;

    public Database Database => database;

    public TStore Store => store;

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        await db.DisposeAsync();
    }
}
