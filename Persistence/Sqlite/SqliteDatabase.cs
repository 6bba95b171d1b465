using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Persistence.Sqlite;

/// <summary>A SQLite file: connections kept open with their statements compiled, WAL, a span per statement.</summary>
public sealed class SqliteDatabase : Database
{
    /// <summary>Seconds a readiness probe waits for a lock: a file locked out for longer is not ready.</summary>
    private const int ProbeLockWaitSeconds = 2;

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
            // SqliteStatements keeps its own connections open; anything else opens one and closes it for real.
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

    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    private protected override ValueTask<CommandLease> LeaseAsync(string sql, SqlParameters parameters,
        CancellationToken cancellationToken) =>
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
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>WAL lets readers run beside the one writer. The mode is stored in the file, so it is set once, before the
    /// schema, not on every connection.</summary>
    public override async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var wal = Command(connection, null, "PRAGMA journal_mode=WAL;", []);
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Readiness: runs <paramref name="readinessQuery"/> (a read of a real table), so a file that answers
    /// <c>SELECT 1</c> but has lost its data (deleted, replaced, corrupt) is not ready. Throws when it cannot.</summary>
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

    protected override string TextOf(EngineStatement statement) => statement.Sqlite;

    /// <summary>A JSON array, which <c>json_each</c> reads: SQLite has no array parameters.</summary>
    protected override object ListValue(IReadOnlyList<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>SQLite has no driver tracing: a client span per statement, as OpenTelemetry's database conventions say.</summary>
    protected override Activity? StartSpan(string sql) => DatabaseTelemetry.StartSqlite(sql, _namespace);

    protected override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName,
        CancellationToken cancellationToken) =>
        // Not deferred: BEGIN IMMEDIATE takes the file's write lock now, so a second process waits here.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}

