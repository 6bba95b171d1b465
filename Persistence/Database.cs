using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using System.Runtime.CompilerServices;
using Npgsql;
using SQLitePCL;

namespace Persistence;

/// <summary>
/// Where a service keeps its state: an embedded SQLite file (the default, nothing to install) or PostgreSQL
/// (in the cluster). The stores write one dialect of SQL that both understand, as constant text; only the schema
/// types, the connection set-up and the lock that serialises migrations differ. Every query runs through
/// <see cref="ExecuteAsync"/> or <see cref="QueryAsync{T}"/>: open, command, parameters and reader in one place.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    /// <summary>
    /// The current time in Unix milliseconds, as SQL both engines run. On PostgreSQL it is the database server's
    /// clock, so replicas whose clocks differ still agree on leases; a SQLite file lives on one host, and
    /// <see cref="SqliteDatabase"/> answers <c>now()</c> and <c>date_part()</c> from that host's clock (<see cref="LeaseClock"/>).
    /// </summary>
    public const string NowMilliseconds = "CAST(date_part('epoch', now()) * 1000 AS BIGINT)";

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="sql"/> (constant text; values only as <paramref name="parameters"/>) and returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync([ConstantExpected] string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        await using var lease = await LeaseAsync(sql, parameters, cancellationToken);
        using var span = StartSpan(sql);
        try
        {
            return await lease.Command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (Failed(span, lease, e))
        {
            throw;
        }
    }

    /// <summary>Runs <paramref name="sql"/> and reads each row with <paramref name="read"/>.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>([ConstantExpected] string sql, SqlParameters parameters, Func<DbDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await using var lease = await LeaseAsync(sql, parameters, cancellationToken);
        using var span = StartSpan(sql);
        try
        {
            await using var reader = await lease.Command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
            return rows;
        }
        catch (Exception e) when (Failed(span, lease, e))
        {
            throw;
        }
    }

    /// <summary>The first row <paramref name="sql"/> returns, or null. No list: a lookup (a payment replay) reads one row.</summary>
    public async Task<T?> QueryFirstOrDefaultAsync<T>([ConstantExpected] string sql, SqlParameters parameters, Func<DbDataReader, T> read,
        CancellationToken cancellationToken) where T : class
    {
        await using var lease = await LeaseAsync(sql, parameters, cancellationToken);
        using var span = StartSpan(sql);
        try
        {
            await using var reader = await lease.Command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
        }
        catch (Exception e) when (Failed(span, lease, e))
        {
            throw;
        }
    }

    /// <summary>
    /// Runs the schema statements once, under a database-wide lock, so that replicas starting together do not
    /// race each other. The statements must be idempotent (<c>CREATE TABLE IF NOT EXISTS</c>, <c>ON CONFLICT DO NOTHING</c>).
    /// </summary>
    public async Task MigrateAsync(string lockName, Schema schema, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginMigrationAsync(connection, lockName, cancellationToken);
        foreach (var sql in StatementsOf(schema))
        {
            await using var command = Command(connection, transaction, sql, []);
            using var span = StartSpan(sql);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (Exception e) when (DatabaseTelemetry.Failed(span, e))
            {
                throw;
            }
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

    /// <summary>This engine's statements of <paramref name="schema"/>.</summary>
    protected abstract IReadOnlyList<string> StatementsOf(Schema schema);

    /// <summary>
    /// A command for <paramref name="sql"/> with <paramref name="parameters"/> bound, on a connection of its own until
    /// the lease is disposed. By default a connection from the driver's pool and a new command; SQLite keeps its
    /// statements prepared instead (<see cref="SqliteStatements"/>).
    /// </summary>
    private protected virtual async ValueTask<CommandLease> LeaseAsync(string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        return new PooledCommand(connection, Command(connection, null, sql, parameters));
    }

    /// <summary>Records the failure on the span and keeps the lease's connection from being used again; false, to let the exception go on.</summary>
    private static bool Failed(Activity? span, CommandLease lease, Exception exception)
    {
        lease.Discard();
        return DatabaseTelemetry.Failed(span, exception);
    }

    /// <summary>A connection the driver pools, and a command on it that lives for one statement.</summary>
    private sealed class PooledCommand(DbConnection connection, DbCommand command) : CommandLease
    {
        public override DbCommand Command => command;

        /// <summary>Nothing to do: closing gives the connection back to the driver, which resets or drops it.</summary>
        public override void Discard()
        {
        }

        public override async ValueTask DisposeAsync()
        {
            await command.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>A span for one statement, or null where the driver traces its own commands (Npgsql does).</summary>
    protected virtual Activity? StartSpan(string sql) => null;

    protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken);

    /// <summary>The one place SQL text becomes a command. Every caller passes constant text (CA1857 holds them to it).</summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
        Justification = "Callers pass constant SQL text ([ConstantExpected], or a Schema of constants); values arrive only as parameters.")]
    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, SqlParameters parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// Picks the engine from the connection string's own keys: <c>Data Source=</c> is a SQLite file,
    /// <c>Host=</c> is PostgreSQL (the form Aspire's PostgreSQL resource injects).
    /// </summary>
    /// <param name="connectionString">The service's connection string.</param>
    /// <param name="baseDirectory">Where a relative SQLite file lives: the service's content root, not whatever directory it was started from.</param>
    /// <param name="options">The <c>Database</c> settings; <see cref="DatabaseOptions.MaxPoolSize"/> sizes PostgreSQL's pool.</param>
    /// <param name="clock">The host's clock, which times a SQLite file's leases; PostgreSQL uses its server's.</param>
    public static Database FromConnectionString(string connectionString, string baseDirectory, DatabaseOptions? options = null, TimeProvider? clock = null) =>
        IsPostgres(connectionString)
            ? new PostgresDatabase(PostgresDatabase.Tuned(connectionString, options?.MaxPoolSize))
            : new SqliteDatabase(connectionString, baseDirectory, clock);

    /// <summary>True for a PostgreSQL connection string, false for a SQLite one; throws for anything else.</summary>
    public static bool IsPostgres(string connectionString)
    {
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return true;
        }
        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return false;
        }
        throw new ArgumentException("The connection string names neither a SQLite 'Data Source' nor a PostgreSQL 'Host'.", nameof(connectionString));
    }
}

/// <summary>A query's parameters: name and value, never spliced into the text.</summary>
public sealed class SqlParameters : List<(string Name, object? Value)>;

/// <summary>A store's schema, as constant statements for each engine (they differ only in column types).</summary>
public sealed record Schema(IReadOnlyList<string> Sqlite, IReadOnlyList<string> Postgres);

public sealed class SqliteDatabase : Database
{
    /// <summary>Seconds a readiness probe waits for a lock: a file locked out for longer is not ready.</summary>
    private const int ProbeLockWaitSeconds = 2;

    /// <summary>The most connections the statements keep open to the file at once.</summary>
    public const int MaxConnections = SqliteStatements.MaxConnections;

    private readonly string _connectionString;
    private readonly string _probeConnectionString;
    private readonly TimeProvider _clock;
    private readonly string _namespace;
    private readonly SqliteStatements _statements;

    public SqliteDatabase(string connectionString, string baseDirectory, TimeProvider? clock = null)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
            // The statements keep their own open connections (SqliteStatements); anything else (the migration, a
            // test holding a connection) opens one for itself and closes it for real.
            Pooling = false,
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
        _clock = clock ?? TimeProvider.System;
        _namespace = Path.GetFileNameWithoutExtension(builder.DataSource);
        _statements = new SqliteStatements(async cancellationToken => (SqliteConnection)await OpenAsync(cancellationToken));
    }

    /// <summary>The file's full path.</summary>
    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Statements run on connections kept open with their statements compiled (<see cref="SqliteStatements"/>).</summary>
    private protected override ValueTask<CommandLease> LeaseAsync(string sql, SqlParameters parameters, CancellationToken cancellationToken) =>
        _statements.LeaseAsync(sql, parameters, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await _statements.DisposeAsync();
        await base.DisposeAsync();
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            LeaseClock.On(connection.Handle!).Clock = _clock;
            return connection;
        }
        catch
        {
            // Closed now rather than whenever the collector finds it.
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// WAL lets readers run beside the one writer. The mode is stored in the file itself, so it is set once here,
    /// before the schema, not on every connection.
    /// </summary>
    public override async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var wal = Command(connection, null, "PRAGMA journal_mode=WAL;", []);
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Readiness: opens the file as the service's own queries would and runs <paramref name="readinessQuery"/> (a
    /// read of a real table), so a file that answers <c>SELECT 1</c> but has lost its data (deleted, replaced or
    /// corrupt) is not ready. Throws when it cannot.
    /// </summary>
    public async Task CheckAsync(string readinessQuery, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_probeConnectionString);
        await connection.OpenAsync(cancellationToken);
        // One statement: the driver would not surface an error of a second one to ExecuteScalar. A locked file is
        // retried for the connection's DefaultTimeout, then fails.
        await using var command = Command(connection, null, readinessQuery, []);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    protected override IReadOnlyList<string> StatementsOf(Schema schema) => schema.Sqlite;

    /// <summary>
    /// SQLite has no driver tracing: each statement gets a client span under the caller's, named and tagged as
    /// OpenTelemetry's database conventions say.
    /// </summary>
    protected override Activity? StartSpan(string sql) => DatabaseTelemetry.StartSqlite(sql, _namespace);

    protected override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken) =>
        // Not deferred: BEGIN IMMEDIATE takes the file's write lock now, so a second process waits here.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}

/// <summary>
/// The two PostgreSQL functions <see cref="Database.NowMilliseconds"/> calls, <c>now()</c> and <c>date_part('epoch', ...)</c>,
/// for SQLite, so that both engines run one SQL text. They are registered once per physical SQLite handle, for
/// as long as the handle lives, never again on a pooled handle: replacing or removing a function frees its callback,
/// and Microsoft.Data.Sqlite's own <c>CreateFunction</c> does both on every open and close of a pooled connection.
/// Under load a statement then called a callback that an open or close on the same handle had just freed: the
/// exception is thrown inside SQLite's call, where no caller can catch it, and the process dies.
/// </summary>
internal sealed class LeaseClock
{
    private static readonly ConditionalWeakTable<sqlite3, LeaseClock> Registered = new();
    private static readonly Lock Registering = new();

    private LeaseClock(TimeProvider clock) => Clock = clock;

    /// <summary>The clock <c>now()</c> reads: that of whichever <see cref="SqliteDatabase"/> opened the handle last.</summary>
    public TimeProvider Clock { get; set; }

    /// <summary>The clock of <paramref name="handle"/>; on first use its functions are registered and its settings applied.</summary>
    public static LeaseClock On(sqlite3 handle)
    {
        if (Registered.TryGetValue(handle, out var registered))
        {
            return registered;
        }
        // One registration per handle, even if two connections were handed it at the same moment.
        lock (Registering)
        {
            if (Registered.TryGetValue(handle, out registered))
            {
                return registered;
            }
            var clock = new LeaseClock(TimeProvider.System);
            Check(handle, raw.sqlite3_create_function(handle, "now", 0, 0, clock, Now));
            Check(handle, raw.sqlite3_create_function(handle, "date_part", 2, raw.SQLITE_DETERMINISTIC, null, DatePart));
            // Settings of the handle, kept while the pool keeps it: a busy timeout makes writers queue, also across
            // processes; FULL syncs every commit. Once here rather than a statement on every open.
            Check(handle, raw.sqlite3_exec(handle, "PRAGMA busy_timeout=30000; PRAGMA synchronous=FULL;"));
            Registered.Add(handle, clock);
            return clock;
        }
    }

    /// <summary>Seconds since the epoch, as PostgreSQL's <c>date_part('epoch', now())</c> gives them.</summary>
    private static void Now(sqlite3_context context, object clock, sqlite3_value[] args) =>
        raw.sqlite3_result_double(context, ((LeaseClock)clock).Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);

    /// <summary>Only the field the stores use. An error is answered to SQLite: an exception must never leave a callback.</summary>
    private static void DatePart(sqlite3_context context, object state, sqlite3_value[] args)
    {
        if (raw.sqlite3_value_text(args[0]).utf8_to_string() == "epoch")
        {
            raw.sqlite3_result_double(context, raw.sqlite3_value_double(args[1]));
        }
        else
        {
            raw.sqlite3_result_error(context, "date_part() is provided for SQLite only with 'epoch'");
        }
    }

    private static void Check(sqlite3 handle, int result) => SqliteException.ThrowExceptionForRC(result, handle);
}

/// <summary>
/// PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>: in a service the one Aspire.Npgsql registers (with its
/// health check, tracing and metrics); otherwise one of its own.
/// </summary>
public sealed class PostgresDatabase : Database
{
    private const string DuplicateDatabase = "42P04";
    private const string UniqueViolation = "23505";

    /// <summary>Statements each connection keeps prepared: the stores have about twenty.</summary>
    public const int MaxAutoPrepare = 32;

    private readonly string _connectionString;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <param name="connectionString">The full connection string (with its password): the maintenance connection that creates the database needs it.</param>
    /// <param name="dataSource">The application's data source, which its container disposes; null builds and owns one.</param>
    public PostgresDatabase(string connectionString, NpgsqlDataSource? dataSource = null)
    {
        _connectionString = connectionString;
        _ownsDataSource = dataSource is null;
        _dataSource = dataSource ?? NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>The connection string the pool was built from (without its password).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString) { Password = null }.ConnectionString;

    /// <summary>
    /// Applies <c>Database:MaxPoolSize</c> over the connection string's own value (every replica's pool must fit,
    /// together, under the server's <c>max_connections</c>), and two settings for a service that runs the same few
    /// statements all day, unless the connection string sets them itself:
    /// <list type="bullet">
    /// <item><c>Max Auto Prepare</c>: a statement run often is prepared on the server once per connection, so the server
    /// no longer parses and plans it on every call (parsing is most of what a one-row lookup costs).</item>
    /// <item><c>No Reset On Close</c>: a connection back in the pool is not reset before its next use; the services
    /// change no session state (no <c>SET</c>, only transaction-scoped locks), so there is nothing to reset.</item>
    /// </list>
    /// </summary>
    public static string Tuned(string connectionString, int? maxPoolSize)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (maxPoolSize is { } size and >= 1)
        {
            builder.MaxPoolSize = size;
        }
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// A fresh server has only its default database: the service's own is created here, through the server's
    /// maintenance database. Replicas racing to create it are fine: the loser finds it there.
    /// </summary>
    public override async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(_connectionString);
        if (string.IsNullOrEmpty(target.Database) || target.Database == "postgres")
        {
            return;
        }
        var maintenance = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = Command(connection, null, "SELECT 1 FROM pg_database WHERE datname = @name", [("name", target.Database)]);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }
        await using var quote = Command(connection, null, "SELECT quote_ident(@name)", [("name", target.Database)]);
        try
        {
            await using var create = CreateDatabase(connection, (string)(await quote.ExecuteScalarAsync(cancellationToken))!);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is DuplicateDatabase or UniqueViolation)
        {
            // Another replica created it a moment ago.
        }
    }

    protected override IReadOnlyList<string> StatementsOf(Schema schema) => schema.Postgres;

    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Held until commit: a second replica waits here, then finds the schema in place.
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@lockName))", [("lockName", lockName)]);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    /// <summary>CREATE DATABASE takes no parameters: its name is an identifier, quoted by the server's own quote_ident.</summary>
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
        Justification = "The only SQL with a name in its text: CREATE DATABASE cannot take a parameter, and quote_ident quoted the name.")]
    private static NpgsqlCommand CreateDatabase(NpgsqlConnection connection, string quotedName) =>
        new($"CREATE DATABASE {quotedName}", connection);
}
