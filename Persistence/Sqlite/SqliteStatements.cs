using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Persistence.Sqlite;

/// <summary>SQLite connections kept open with one prepared command per SQL text: compiling is most of what a small query
/// costs (three quarters of SQLite's time in a profile of <c>GET /invoices</c>), and Microsoft.Data.Sqlite compiles every
/// command again after each open of a pooled connection. A connection serves one statement at a time, at most
/// <see cref="MaxConnections"/> are open, and one whose statement failed is closed, never reused.</summary>
internal sealed class SqliteStatements : IAsyncDisposable
{
    /// <summary>Room for one process's requests and payments in flight (16 by default): readers run in parallel in WAL
    /// mode, and writers queue for the file's one write lock whatever their number.</summary>
    public const int MaxConnections = 32;

    private readonly Func<CancellationToken, Task<SqliteConnection>> _open;
    private readonly ConcurrentStack<Session> _idle = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections, MaxConnections);
    private volatile bool _disposed;

    /// <param name="open">Opens a set-up connection the driver does not pool: these connections are the pool.</param>
    public SqliteStatements(Func<CancellationToken, Task<SqliteConnection>> open) => _open = open;

    public async ValueTask<CommandLease> LeaseAsync(string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        Session? session = null;
        try
        {
            session = _idle.TryPop(out var idle) ? idle : await OpenAsync(cancellationToken);
            session.Bind(sql, parameters);
            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.CloseAsync();
            }
            _slots.Release();
            throw;
        }
    }

    private async Task<Session> OpenAsync(CancellationToken cancellationToken) => new(this, await _open(cancellationToken));

    private async ValueTask ReturnAsync(Session session, bool reusable)
    {
        if (reusable && !_disposed)
        {
            _idle.Push(session);
        }
        else
        {
            await session.CloseAsync();
        }
        _slots.Release();
        if (_disposed)
        {
            // Disposed while this one was out: close anything pushed back in the meantime.
            await CloseIdleAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await CloseIdleAsync();
    }

    private async ValueTask CloseIdleAsync()
    {
        while (_idle.TryPop(out var session))
        {
            await session.CloseAsync();
        }
    }

    private sealed class Session(SqliteStatements owner, SqliteConnection connection) : CommandLease
    {
        private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
        private SqliteCommand? _current;
        private bool _failed;

        public override DbCommand Command => _current ?? throw new InvalidOperationException("No statement is bound.");

        [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
            Justification = "The text comes from Database's query methods, which take constant SQL ([ConstantExpected]); "
                + "values arrive only as parameters.")]
        public void Bind(string sql, SqlParameters parameters)
        {
            if (!_prepared.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                // Compiled on its first run, inside the statement's span, and kept compiled while the command lives.
                command.CommandText = sql;
                _prepared.Add(sql, command);
            }
            command.Parameters.Clear();
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            _current = command;
            _failed = false;
        }

        public override void Discard() => _failed = true;

        public override ValueTask DisposeAsync()
        {
            _current = null;
            return owner.ReturnAsync(this, reusable: !_failed);
        }

        public async ValueTask CloseAsync()
        {
            foreach (var command in _prepared.Values)
            {
                await command.DisposeAsync();
            }
            _prepared.Clear();
            await connection.DisposeAsync();
        }
    }
}
