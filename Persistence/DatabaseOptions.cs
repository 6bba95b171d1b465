namespace Persistence;

/// <summary>The "Database" section: how a service uses its database server. Validated on start.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// The most connections one process keeps to PostgreSQL (Npgsql's Maximum Pool Size); unset, the connection
    /// string's value or Npgsql's default (100) applies. Replicas times this must stay under the server's
    /// <c>max_connections</c> less its reserved connections. A SQLite file has no server and ignores it.
    /// </summary>
    public int? MaxPoolSize { get; set; }
}
