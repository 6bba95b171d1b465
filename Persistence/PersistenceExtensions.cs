using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers the service's one database from <c>ConnectionStrings:{connectionName}</c>, sized by the
    /// <c>Database</c> section, and makes readiness depend on reading <paramref name="readinessTable"/>. The tag
    /// matches ServiceDefaults' readiness probe.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder, string connectionName, string readinessTable)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set: give a SQLite 'Data Source=file.db' or a PostgreSQL 'Host=...' connection string.");
        }

        builder.Services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => o.MaxPoolSize is null or >= 1, "Database:MaxPoolSize must be at least 1 when set")
            .ValidateOnStart();
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton(services =>
            Database.FromConnectionString(connectionString, contentRoot, services.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration($"{connectionName}-store",
            services => new DatabaseHealthCheck(services.GetRequiredService<Database>(), readinessTable), failureStatus: null, tags: ["ready"]));
        return builder;
    }
}
