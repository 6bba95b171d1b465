using System.Buffers;
using System.Diagnostics;

namespace Persistence;

/// <summary>
/// Spans for the SQLite store's statements, which no driver traces. PostgreSQL's come from Npgsql's own
/// <c>Npgsql</c> source (registered by Aspire.Npgsql), so they are never made twice. Tags follow OpenTelemetry's
/// semantic conventions for database client spans.
/// </summary>
public static class DatabaseTelemetry
{
    /// <summary>The ActivitySource name the tracer listens to (<see cref="PersistenceExtensions.AddDatabase"/> registers it).</summary>
    public const string SourceName = "Persistence";

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly SearchValues<char> EndOfKeyword = SearchValues.Create(" \t\r\n(;");

    /// <summary>A client span for one SQLite statement, child of the current one; null when nothing listens.</summary>
    internal static Activity? StartSqlite(string sql, string databaseName)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var operation = Operation(sql);
        var activity = Source.StartActivity($"{operation} {databaseName}", ActivityKind.Client);
        activity?.SetTag("db.system.name", "sqlite");
        activity?.SetTag("db.namespace", databaseName);
        activity?.SetTag("db.operation.name", operation);
        // Constant text with parameters: it holds no values, so it may be recorded as it is.
        activity?.SetTag("db.query.text", sql);
        return activity;
    }

    /// <summary>
    /// Marks <paramref name="span"/> failed with the exception's type (<c>error.type</c>); false, so that as an exception
    /// filter it lets the exception go on unchanged.
    /// </summary>
    internal static bool Failed(Activity? span, Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        span?.SetTag("error.type", exception.GetType().FullName);
        return false;
    }

    /// <summary>The statement's first keyword (SELECT, INSERT, UPDATE, CREATE, ...).</summary>
    private static string Operation(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = text.IndexOfAny(EndOfKeyword);
        return (end < 0 ? text : text[..end]).ToString().ToUpperInvariant();
    }
}
