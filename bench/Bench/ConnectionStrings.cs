namespace Bench;

/// <summary>The connection string of <c>--postgres</c>, as the run's databases and the tables need it.</summary>
public static class ConnectionStrings
{
    /// <summary>The same server and user, another database.</summary>
    public static string WithDatabase(string connectionString, string database) =>
        string.Join(';', [.. Without(connectionString, "Database"), $"Database={database}"]);

    /// <summary>What a table may print: no password, and no database (each service gets one of its own).</summary>
    public static string Described(string connectionString) =>
        string.Join(';', Without(connectionString, "Password", "Database"));

    private static IEnumerable<string> Without(string connectionString, params string[] keys) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(pair => !keys.Contains(pair.Split('=')[0].Trim(), StringComparer.OrdinalIgnoreCase));
}
