using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Persistence.Sqlite;

/// <summary>PostgreSQL's <c>now()</c> and <c>date_part('epoch', ...)</c> for SQLite, so both engines run one SQL text.
/// Registered once per physical handle, for its lifetime: replacing or removing a function frees its callback, and
/// Microsoft.Data.Sqlite's <c>CreateFunction</c> does both on every open and close of a pooled connection. Under load a
/// statement then called a callback just freed on the same handle: the exception is thrown inside SQLite's call, where
/// no caller can catch it, and the process dies.</summary>
internal sealed class LeaseClock
{
    private static readonly ConditionalWeakTable<sqlite3, LeaseClock> Registered = new();
    private static readonly Lock Registering = new();

    private LeaseClock(TimeProvider clock) => Clock = clock;

    /// <summary>The clock <c>now()</c> reads: that of whichever <see cref="SqliteDatabase"/> opened the handle last.</summary>
    public TimeProvider Clock { get; set; }

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

