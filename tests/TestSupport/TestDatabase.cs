using Npgsql;
using Persistence;

namespace TestSupport;

/// <summary>
/// A database of its own for one test, on a real engine: a SQLite file in a fresh temporary folder, or a uniquely
/// named database on the PostgreSQL server of <c>TEST_POSTGRES</c> (created by the product's own start-up code,
/// dropped here). Disposing removes it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgresql";

    private readonly string? _folder;
    private readonly string? _serverConnectionString;
    private readonly string? _databaseName;

    private TestDatabase(string engine, string connectionString, string? folder, string? serverConnectionString, string? databaseName)
    {
        Engine = engine;
        ConnectionString = connectionString;
        _folder = folder;
        _serverConnectionString = serverConnectionString;
        _databaseName = databaseName;
    }

    public string Engine { get; }

    /// <summary>What a service gets as <c>ConnectionStrings:...</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>A new database on <paramref name="engine"/>; PostgreSQL skips (or fails under CI) when no server is configured.</summary>
    public static TestDatabase Create(string engine, string purpose)
    {
        var unique = $"{purpose}_{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 33, 63)].ToLowerInvariant();
        switch (engine)
        {
            case Sqlite:
                var folder = Directory.CreateTempSubdirectory("invoice-payments-test-").FullName;
                return new TestDatabase(engine, $"Data Source={Path.Combine(folder, unique + ".db")}", folder, null, null);
            case Postgres:
                var server = Requirement.NeedPostgres();
                var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = unique }.ConnectionString;
                return new TestDatabase(engine, connectionString, null, server, unique);
            default:
                throw new ArgumentOutOfRangeException(nameof(engine), engine, "unknown engine");
        }
    }

    /// <summary>A fresh handle on the database, as another process would open it (its own connection pool).</summary>
    public Database Open() => Database.FromConnectionString(ConnectionString, Path.GetTempPath());

    /// <summary>Several handles on the database, each with its own pool as replicas would have; disposing closes them all.</summary>
    public Replicas OpenReplicas(int count) => new([.. Enumerable.Range(0, count).Select(_ => Open())]);

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A process that was killed may still be releasing the file; the folder is in the temp area anyway.
            }
        }
        if (_serverConnectionString is not null && _databaseName is not null)
        {
            var maintenance = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = "postgres", Pooling = false };
            await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
            await connection.OpenAsync();
            // FORCE ends the sessions that pools (of this test or of killed service processes) still hold.
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Handles on one database, as several replicas of a service hold them.</summary>
public sealed class Replicas(IReadOnlyList<Database> databases) : IReadOnlyList<Database>, IAsyncDisposable
{
    public int Count => databases.Count;

    public Database this[int index] => databases[index];

    public IEnumerator<Database> GetEnumerator() => databases.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public async ValueTask DisposeAsync()
    {
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }
    }
}
