using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers the service's one database from <c>ConnectionStrings:{connectionName}</c> and makes readiness
    /// depend on reaching it. The tag matches ServiceDefaults' readiness probe.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set: give a SQLite 'Data Source=file.db' or a PostgreSQL 'Host=...' connection string.");
        }

        builder.Services.AddSingleton(Database.FromConnectionString(connectionString, builder.Environment.ContentRootPath));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>($"{connectionName}-store", tags: ["ready"]);
        return builder;
    }
}
