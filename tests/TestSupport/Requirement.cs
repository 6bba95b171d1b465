using Xunit;

namespace TestSupport;

/// <summary>
/// A test that needs a real component (PostgreSQL, Chromium, kubectl, shellcheck) calls this first. On a
/// developer's machine without the component the test is skipped with the reason; under CI=true, where
/// .ci/run installs every component, a missing one fails the test instead of hiding it.
/// </summary>
public static class Requirement
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Need(bool available, string reason)
    {
        if (available)
        {
            return;
        }
        if (IsCi)
        {
            Assert.Fail($"CI=true and a required component is missing: {reason}");
        }
        Assert.Skip(reason);
    }

    /// <summary>The full path of an executable on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Finds an executable on PATH, or skips (fails under CI) with what to install.</summary>
    public static string NeedExecutable(string name, string install)
    {
        var found = FindOnPath(name);
        Need(found is not null, $"'{name}' is not on PATH ({install})");
        return found!;
    }

    /// <summary>
    /// The PostgreSQL server the store tests use: <c>TEST_POSTGRES</c> holds an Npgsql connection string to a
    /// server where the user may create databases (.ci/run starts one on loopback and sets it).
    /// </summary>
    public static string NeedPostgres()
    {
        var connectionString = Environment.GetEnvironmentVariable("TEST_POSTGRES");
        Need(!string.IsNullOrWhiteSpace(connectionString),
            "TEST_POSTGRES is not set: point it at a PostgreSQL server, e.g. 'Host=127.0.0.1;Port=5432;Username=postgres' " +
            "(.ci/run starts one)");
        return connectionString!;
    }
}
