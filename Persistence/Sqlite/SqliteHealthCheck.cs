using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Persistence.Sqlite;

/// <summary>Readiness of a SQLite store: the service can read its own data (a real table, not <c>SELECT 1</c>).</summary>
public sealed class SqliteHealthCheck(SqliteDatabase database, string readinessQuery) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.CheckAsync(readinessQuery, cancellationToken);
            return HealthCheckResult.Healthy("sqlite store readable");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("sqlite store unreadable", e);
        }
    }
}
