using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Persistence.Postgres;
using Persistence.Sqlite;

namespace Persistence;

/// <summary>
/// An embedded SQLite file (the default, nothing to install) or PostgreSQL. The stores write one dialect of SQL both
/// understand, as constant text; every query runs through <see cref="ExecuteAsync"/> or a <c>Query</c> method.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    /// <summary>Now in Unix milliseconds, as SQL both engines run: PostgreSQL's server clock, so replicas agree on leases;
    /// a SQLite file lives on one host, and <see cref="SqliteDatabase"/> answers from that host's clock.</summary>
    public const string NowMilliseconds = "CAST(date_part('epoch', now()) * 1000 AS BIGINT)";

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task<int> ExecuteAsync([ConstantExpected] string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        await using var lease = await LeaseAsync(sql, Bound(parameters), cancellationToken);
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

    public Task<IReadOnlyList<T>> QueryAsync<T>([ConstantExpected] string sql, SqlParameters parameters, Func<DbDataReader, T> read,
        CancellationToken cancellationToken) =>
        RunQueryAsync(sql, parameters, read, cancellationToken);

    /// <summary>This engine's text of <paramref name="statement"/>, for SQL the two engines cannot share.</summary>
    public Task<IReadOnlyList<T>> QueryAsync<T>(EngineStatement statement, SqlParameters parameters,
        Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        RunQueryAsync(TextOf(statement), parameters, read, cancellationToken);

    public async Task<T?> QueryFirstOrDefaultAsync<T>([ConstantExpected] string sql, SqlParameters parameters, Func<DbDataReader, T> read,
        CancellationToken cancellationToken) where T : class
    {
        await using var lease = await LeaseAsync(sql, Bound(parameters), cancellationToken);
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

    /// <summary>Runs the schema once under a database-wide lock, so replicas starting together do not race; the statements
    /// must be idempotent (<c>CREATE TABLE IF NOT EXISTS</c>, <c>ON CONFLICT DO NOTHING</c>).</summary>
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

    public virtual Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract IReadOnlyList<string> StatementsOf(Schema schema);

    protected abstract string TextOf(EngineStatement statement);

    /// <summary>A list of strings as this engine takes it in one parameter (neither has a form both read).</summary>
    protected abstract object ListValue(IReadOnlyList<string> values);

    /// <summary>A bound command on a connection of its own until disposed: from the driver's pool by default; SQLite keeps
    /// its statements prepared instead (<see cref="SqliteStatements"/>).</summary>
    private protected virtual async ValueTask<CommandLease> LeaseAsync(string sql, SqlParameters parameters,
        CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        return new PooledCommand(connection, Command(connection, null, sql, parameters));
    }

    /// <summary>A span for one statement, or null where the driver traces its own commands (Npgsql does).</summary>
    protected virtual Activity? StartSpan(string sql) => null;

    protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName,
        CancellationToken cancellationToken);

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

    /// <summary>Picks the engine by its keys: <c>Data Source=</c> is SQLite, <c>Host=</c> PostgreSQL (as Aspire injects it). A
    /// relative SQLite file is under <paramref name="baseDirectory"/>, the content root, not the working directory.</summary>
    public static Database FromConnectionString(string connectionString, string baseDirectory, DatabaseOptions? options = null,
        TimeProvider? clock = null) =>
        IsPostgres(connectionString)
            ? new PostgresDatabase(PostgresDatabase.Tuned(connectionString, options?.MaxPoolSize))
            : new SqliteDatabase(connectionString, baseDirectory, clock);

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
        throw new ArgumentException("The connection string names neither a SQLite 'Data Source' nor a PostgreSQL 'Host'.",
            nameof(connectionString));
    }

    private async Task<IReadOnlyList<T>> RunQueryAsync<T>(string sql, SqlParameters parameters,
        Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var lease = await LeaseAsync(sql, Bound(parameters), cancellationToken);
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

    private SqlParameters Bound(SqlParameters parameters)
    {
        SqlParameters? bound = null;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Value is IReadOnlyList<string> list)
            {
                bound ??= [.. parameters];
                bound[i] = (parameters[i].Name, ListValue(list));
            }
        }
        return bound ?? parameters;
    }

    /// <summary>Keeps the lease's connection from being used again and records the failure; false, so it goes on.</summary>
    private static bool Failed(Activity? span, CommandLease lease, Exception exception)
    {
        lease.Discard();
        return DatabaseTelemetry.Failed(span, exception);
    }

    private sealed class PooledCommand(DbConnection connection, DbCommand command) : CommandLease
    {
        public override DbCommand Command => command;

        // Closing gives the connection back to the driver, which resets or drops it.
        public override void Discard()
        {
        }

        public override async ValueTask DisposeAsync()
        {
            await command.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
