using System.Buffers;
using System.Diagnostics;

namespace Persistence;

/// <summary>Spans for SQLite's statements, which no driver traces (Npgsql traces PostgreSQL's, so never twice), tagged
/// as OpenTelemetry's semantic conventions for database client spans say.</summary>
public static class DatabaseTelemetry
{
    public const string SourceName = "Persistence";

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly SearchValues<char> EndOfKeyword = SearchValues.Create(" \t\r\n(;");

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

    /// <summary>Marks the span failed (<c>error.type</c>); false, so as an exception filter it lets the exception go on.</summary>
    internal static bool Failed(Activity? span, Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        span?.SetTag("error.type", exception.GetType().FullName);
        return false;
    }

    private static string Operation(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = text.IndexOfAny(EndOfKeyword);
        return (end < 0 ? text : text[..end]).ToString().ToUpperInvariant();
    }
}
