namespace Persistence;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Npgsql's Maximum Pool Size per process (unset: the connection string's, or 100). Replicas times this must
    /// stay under the server's <c>max_connections</c> less its reserved connections. SQLite ignores it.</summary>
    public int? MaxPoolSize { get; set; }
}
