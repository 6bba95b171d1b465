using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Persistence.Tests;

/// <summary>
/// The two services' login roles and databases, made on the PostgreSQL server of <c>TEST_POSTGRES</c> by the
/// committed <c>deploy/database/apply-roles.sh</c> and <c>roles.sql</c> (the files the cluster's roles
/// container runs), under names unique to one test so runs never meet. Disposing drops them.
/// </summary>
public sealed class ServiceRoles : IAsyncDisposable
{
    private readonly string _server;
    private readonly Dictionary<string, string> _passwords = [];

    private ServiceRoles(string server, string suffix)
    {
        _server = server;
        Invoices = new Service($"invoice_app_{suffix}", $"invoicesdb_{suffix}", $"INVOICE_APP_{suffix.ToUpperInvariant()}_PASSWORD");
        Payments = new Service($"payment_provider_{suffix}", $"paymentsdb_{suffix}",
            $"PAYMENT_PROVIDER_{suffix.ToUpperInvariant()}_PASSWORD");
        _passwords[Invoices.Role] = NewPassword();
        _passwords[Payments.Role] = NewPassword();
    }

    public sealed record Service(string Role, string Database, string PasswordVariable)
    {
        public string Argument => $"{Role}:{Database}:{PasswordVariable}";
    }

    public Service Invoices { get; }
    public Service Payments { get; }

    /// <summary>Names only; nothing exists on the server until <see cref="ApplyAsync"/>.</summary>
    public static ServiceRoles Create()
    {
        var server = Requirement.NeedPostgres();
        Requirement.NeedExecutable("psql", "install the PostgreSQL client (apt-get install -y postgresql-client)");
        Requirement.NeedExecutable("pg_isready", "install the PostgreSQL client (apt-get install -y postgresql-client)");
        return new ServiceRoles(server, Guid.NewGuid().ToString("N")[..12]);
    }

    public static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public string PasswordOf(Service service) => _passwords[service.Role];

    /// <summary>What the Secret would hold next: the following <see cref="ApplyAsync"/> sets it.</summary>
    public void ChangePassword(Service service, string password) => _passwords[service.Role] = password;

    /// <summary>Runs apply-roles.sh once for both services, as the cluster's roles container does, as the superuser.</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var superuser = new NpgsqlConnectionStringBuilder(_server);
        var script = RepositoryRoot.Combine("deploy", "database", "apply-roles.sh");
        var start = new ProcessStartInfo("bash", [script, Invoices.Argument, Payments.Argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGHOST"] = superuser.Host;
        start.Environment["PGPORT"] = superuser.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = superuser.Username;
        if (!string.IsNullOrEmpty(superuser.Password))
        {
            start.Environment["PGPASSWORD"] = superuser.Password;
        }
        start.Environment[Invoices.PasswordVariable] = PasswordOf(Invoices);
        start.Environment[Payments.PasswordVariable] = PasswordOf(Payments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        Assert.True(process.ExitCode == 0, $"apply-roles.sh failed ({process.ExitCode}):\n{await output}\n{await error}");
    }

    /// <summary>A connection string that logs in as <paramref name="role"/> to <paramref name="database"/>.</summary>
    public string ConnectionString(Service role, string database) =>
        new NpgsqlConnectionStringBuilder(_server)
        {
            Username = role.Role,
            Password = PasswordOf(role),
            Database = database,
            Pooling = false,
        }.ConnectionString;

    /// <summary>The superuser on <paramref name="database"/> (the server's own, <c>postgres</c>, by default).</summary>
    public string SuperuserConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder(_server) { Database = database, Pooling = false }.ConnectionString;

    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken cancellationToken, string database = "postgres",
        params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T?)await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the role's stored SCRAM-SHA-256 verifier (RFC 5802, as PostgreSQL stores it in pg_authid) was made
    /// from <paramref name="password"/>: the server under test may trust every login, so the stored secret is
    /// checked instead of a login.
    /// </summary>
    public async Task<bool> PasswordVerifiesAsync(Service service, string password, CancellationToken cancellationToken)
    {
        var stored = await ScalarAsync<string>("SELECT rolpassword FROM pg_authid WHERE rolname = @role", cancellationToken,
            parameters: ("role", service.Role));
        // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        var parts = stored?.Split('$') ?? [];
        if (parts is not ["SCRAM-SHA-256", var parameters, var keys])
        {
            return false;
        }
        var iterations = int.Parse(parameters.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        var salt = Convert.FromBase64String(parameters.Split(':')[1]);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return keys == $"{Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString());
        await connection.OpenAsync();
        foreach (var service in new[] { Invoices, Payments })
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{service.Database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        foreach (var service in new[] { Invoices, Payments })
        {
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{service.Role}\"", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
