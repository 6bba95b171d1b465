using System.Diagnostics.CodeAnalysis;
using HealthChecks.NpgSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Trace;
using Persistence.Postgres;
using Persistence.Sqlite;

namespace Persistence;

public static class PersistenceExtensions
{
    /// <summary>ServiceDefaults' readiness tag: checks with it answer <c>/health</c> and <c>/readiness</c>, never <c>/alive</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The name Aspire.Npgsql gives its health check.</summary>
    public const string PostgresHealthCheck = "PostgreSql";

    /// <summary>The service's one database from <c>ConnectionStrings:{connectionName}</c>: PostgreSQL through Aspire.Npgsql,
    /// SQLite with a health check and spans of its own. Readiness runs <paramref name="readinessQuery"/>, a read of a
    /// real table.</summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder, string connectionName,
        [ConstantExpected] string readinessQuery)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set: give a SQLite "
                + "'Data Source=file.db' or a PostgreSQL 'Host=...' connection string.");
        }

        builder.Services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => o.MaxPoolSize is null or >= 1, "Database:MaxPoolSize must be at least 1 when set")
            .ValidateOnStart();

        if (Database.IsPostgres(connectionString))
        {
            AddPostgres(builder, connectionName, connectionString, readinessQuery);
        }
        else
        {
            AddSqlite(builder, connectionName, connectionString, readinessQuery);
        }
        return builder;
    }

    private static void AddPostgres(IHostApplicationBuilder builder, string connectionName, string connectionString, string readinessQuery)
    {
        var maxPoolSize = builder.Configuration.GetSection(DatabaseOptions.Section).GetValue<int?>(nameof(DatabaseOptions.MaxPoolSize));
        var pooled = PostgresDatabase.Tuned(connectionString, maxPoolSize);
        builder.AddNpgsqlDataSource(connectionName, settings => settings.ConnectionString = pooled);
        builder.Services.AddSingleton<Database>(services => new PostgresDatabase(pooled, services.GetRequiredService<NpgsqlDataSource>()));

        // The integration's check answers readiness (not liveness) and reads the service's table rather than SELECT 1:
        // a server that has lost the service's data is not ready.
        builder.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            var check = options.Registrations.Single(registration => registration.Name == PostgresHealthCheck);
            check.Tags.Add(ReadyTag);
            check.Factory = services => new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(services.GetRequiredService<NpgsqlDataSource>())
            {
                CommandText = readinessQuery,
            });
        });
    }

    private static void AddSqlite(IHostApplicationBuilder builder, string connectionName, string connectionString, string readinessQuery)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton<Database>(services =>
            new SqliteDatabase(connectionString, contentRoot, services.GetService<TimeProvider>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration($"{connectionName}-store",
            services => new SqliteHealthCheck((SqliteDatabase)services.GetRequiredService<Database>(), readinessQuery),
            failureStatus: null, tags: [ReadyTag]));
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(DatabaseTelemetry.SourceName));
    }
}
