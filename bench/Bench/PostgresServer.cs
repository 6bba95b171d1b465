using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Bench;

/// <summary>The PostgreSQL server the run uses, when there is one, and the databases it makes there.</summary>
public static class PostgresServer
{
    /// <summary>A server on 127.0.0.1:5432, as PGUSER (else postgres) with PGPASSWORD; null when none.</summary>
    public static async Task<string?> FindLocalAsync()
    {
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(IPAddress.Loopback, 5432);
        }
        catch (SocketException)
        {
            return null;
        }
        var password = Environment.GetEnvironmentVariable("PGPASSWORD");
        return $"Host=127.0.0.1;Port=5432;Username={Environment.GetEnvironmentVariable("PGUSER") ?? "postgres"}"
            + (string.IsNullOrEmpty(password) ? "" : $";Password={password}");
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
        Justification = "The names are the run's own (bench_, a build, numbers); DROP DATABASE takes no parameter.")]
    public static async Task DropAsync(string connectionString, string[] databases)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionStrings.WithDatabase(connectionString, "postgres"));
        await connection.OpenAsync();
        foreach (var database in databases)
        {
            await using var drop =
                new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
