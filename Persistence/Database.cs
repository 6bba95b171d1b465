using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Persistence;

/// <summary>
/// Where a service keeps its state: an embedded SQLite file (the default, nothing to install) or PostgreSQL
/// (in the cluster). The stores write one dialect of SQL that both understand; only the schema types, the
/// connection set-up and the lock that serialises migrations differ.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    public abstract string Kind { get; }

    /// <summary>Column type for money: exact decimals, never floating point.</summary>
    public abstract string MoneyType { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// SQL for the database server's current time in Unix milliseconds, or null when the engine has no server
    /// (an embedded file, read on one host: that host's clock is the only one). Leases shared by replicas are
    /// timed with it, so a replica whose clock is off cannot take over a live claim.
    /// </summary>
    public virtual string? ServerClockMilliseconds => null;

    /// <summary>
    /// Readiness: opens a connection as the service's own queries would and reads <paramref name="table"/>, so a
    /// store that answers <c>SELECT 1</c> but has lost its data (a deleted, replaced or corrupt file) is not ready.
    /// Throws when it cannot.
    /// </summary>
    public virtual async Task CheckAsync(string table, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1) AS probe");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Runs the schema statements once, under a database-wide lock, so that replicas starting together do not
    /// race each other. The statements must be idempotent (<c>CREATE TABLE IF NOT EXISTS</c>, <c>ON CONFLICT DO NOTHING</c>).
    /// </summary>
    public async Task MigrateAsync(string lockName, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginMigrationAsync(connection, lockName, cancellationToken);
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Creates the database itself when the engine needs that done (a SQLite file creates itself).</summary>
    public virtual Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken);

    /// <summary>
    /// Picks the engine from the connection string's own keys: <c>Data Source=</c> is a SQLite file,
    /// <c>Host=</c> is PostgreSQL (the form Aspire's PostgreSQL resource injects).
    /// </summary>
    /// <param name="connectionString">The service's connection string.</param>
    /// <param name="baseDirectory">Where a relative SQLite file lives: the service's content root, not whatever directory it was started from.</param>
    /// <param name="options">The <c>Database</c> settings; <see cref="DatabaseOptions.MaxPoolSize"/> sizes PostgreSQL's pool.</param>
    public static Database FromConnectionString(string connectionString, string baseDirectory, DatabaseOptions? options = null)
    {
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return new PostgresDatabase(PostgresDatabase.WithPoolSize(connectionString, options?.MaxPoolSize));
        }
        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return new SqliteDatabase(connectionString, baseDirectory);
        }
        throw new ArgumentException("The connection string names neither a SQLite 'Data Source' nor a PostgreSQL 'Host'.", nameof(connectionString));
    }
}

public sealed class SqliteDatabase : Database
{
    /// <summary>Seconds a readiness probe waits for a lock: a file locked out for longer is not ready.</summary>
    private const int ProbeLockWaitSeconds = 2;

    private readonly string _connectionString;
    private readonly string _probeConnectionString;

    public SqliteDatabase(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
            Pooling = true,
        };
        builder.DataSource = Path.GetFullPath(builder.DataSource, baseDirectory);
        var directory = Path.GetDirectoryName(builder.DataSource);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = builder.ToString();
        // Never creates the file (a deleted one must not come back empty), never reuses a pooled connection (which
        // could still hold a deleted file open), and waits for a lock only briefly.
        _probeConnectionString = new SqliteConnectionStringBuilder(_connectionString)
        {
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = ProbeLockWaitSeconds,
        }.ToString();
    }

    /// <summary>The file's full path.</summary>
    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public override string Kind => "sqlite";

    public override string MoneyType => "TEXT";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        // Per connection: a busy timeout makes writers queue, also across processes; FULL syncs every commit.
        pragmas.CommandText = "PRAGMA busy_timeout=30000; PRAGMA synchronous=FULL;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// WAL lets readers run beside the one writer. The mode is stored in the file itself, so it is set once here,
    /// before the schema, not on every connection.
    /// </summary>
    public override async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var wal = connection.CreateCommand("PRAGMA journal_mode=WAL;");
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task CheckAsync(string table, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_probeConnectionString);
        await connection.OpenAsync(cancellationToken);
        // One statement: the driver would not surface an error of a second one to ExecuteScalar. A locked file is
        // retried for the connection's DefaultTimeout, then fails.
        await using var command = connection.CreateCommand($"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1)");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    protected override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken) =>
        // Not deferred: BEGIN IMMEDIATE takes the file's write lock now, so a second process waits here.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}

public sealed class PostgresDatabase(string connectionString) : Database
{
    private const string DuplicateDatabase = "42P04";
    private const string UniqueViolation = "23505";

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgresql";

    /// <summary>The connection string the pool was built from (without its password).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;

    public override string ServerClockMilliseconds => "CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)";

    /// <summary>
    /// Applies <c>Database:MaxPoolSize</c> over the connection string's own value: every replica's pool must fit,
    /// together, under the server's <c>max_connections</c>.
    /// </summary>
    public static string WithPoolSize(string connectionString, int? maxPoolSize) =>
        maxPoolSize is { } size
            ? new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString
            : connectionString;

    public override string MoneyType => "NUMERIC(14, 2)";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// A fresh server has only its default database: the service's own is created here, through the server's
    /// maintenance database. Replicas racing to create it are fine: the loser finds it there.
    /// </summary>
    public override async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(target.Database) || target.Database == "postgres")
        {
            return;
        }
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = connection.CreateCommand("SELECT 1 FROM pg_database WHERE datname = @name");
        exists.AddParameter("name", target.Database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await using var create = connection.CreateCommand($"CREATE DATABASE \"{target.Database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is DuplicateDatabase or UniqueViolation)
        {
            // Another replica created it a moment ago.
        }
    }

    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Held until commit: a second replica waits here, then finds the schema in place.
        command.CommandText = "SELECT pg_advisory_xact_lock(hashtext(@lockName))";
        command.AddParameter("lockName", lockName);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }
}
