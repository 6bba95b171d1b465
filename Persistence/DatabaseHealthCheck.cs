using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Persistence;

/// <summary>Readiness: the service can read its own data (a real table, not <c>SELECT 1</c>).</summary>
public sealed class DatabaseHealthCheck(Database database, string table) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.CheckAsync(table, cancellationToken);
            return HealthCheckResult.Healthy($"{database.Kind} store readable");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{database.Kind} store unreadable", e);
        }
    }
}
