using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace Persistence.Postgres;

/// <summary>PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>: in a service the one Aspire.Npgsql registers (with
/// its health check, tracing and metrics); otherwise one of its own.</summary>
public sealed class PostgresDatabase : Database
{
    private const string DuplicateDatabase = "42P04";
    private const string UniqueViolation = "23505";

    /// <summary>Statements each connection keeps prepared: the stores have about twenty.</summary>
    public const int MaxAutoPrepare = 32;

    private readonly string _connectionString;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <param name="connectionString">With its password: the maintenance connection that creates the database needs it.</param>
    public PostgresDatabase(string connectionString, NpgsqlDataSource? dataSource = null)
    {
        _connectionString = connectionString;
        _ownsDataSource = dataSource is null;
        _dataSource = dataSource ?? NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString) { Password = null }.ConnectionString;

    /// <summary>
    /// Applies <c>Database:MaxPoolSize</c> (every replica's pool must fit, together, under the server's
    /// <c>max_connections</c>) and, unless the connection string sets them: <c>Max Auto Prepare</c>, so a statement run
    /// often is parsed and planned once per connection (parsing is most of what a one-row lookup costs); and
    /// <c>No Reset On Close</c>, as the services change no session state (no <c>SET</c>, only transaction-scoped locks).
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

    /// <summary>A fresh server has only its default database: the service's own is created through the maintenance
    /// database. Replicas racing to create it are fine: the loser finds it there.</summary>
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

    protected override string TextOf(EngineStatement statement) => statement.Postgres;

    /// <summary>A <c>text[]</c>, for <c>= ANY(@ids)</c>.</summary>
    protected override object ListValue(IReadOnlyList<string> values) => values as string[] ?? [.. values];

    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, string lockName,
        CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Held until commit: a second replica waits here, then finds the schema in place.
        await using var command = Command(connection, transaction,
            "SELECT pg_advisory_xact_lock(hashtext(@lockName))", [("lockName", lockName)]);
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

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
        Justification = "The only SQL with a name in its text: CREATE DATABASE cannot take a parameter, and quote_ident quoted the name.")]
    private static NpgsqlCommand CreateDatabase(NpgsqlConnection connection, string quotedName) =>
        new($"CREATE DATABASE {quotedName}", connection);
}
