using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace TestSupport;

/// <summary>A service in memory, whichever it is: what the tests over both services need of it.</summary>
public interface IServiceFactory : IDisposable
{
    /// <summary>A client of the service as it runs in the cluster (Production).</summary>
    HttpClient CreateClient();

    /// <summary>A client of the same service started in another environment (Development serves the API page).</summary>
    HttpClient CreateClientIn(string environment);

    /// <summary>The running service's own services (its endpoints, options, stores).</summary>
    IServiceProvider Services { get; }

    /// <summary>A client of a variant of the service with more settings (and services replaced); disposed with the factory.</summary>
    HttpClient CreateClientWith((string Key, string Value)[] settings, Action<IServiceCollection>? configureServices = null);
}

/// <summary>
/// A service in memory through its own <c>Program</c>, in Production as in the cluster, on a SQLite file of its
/// own in a fresh folder that disposing removes.
/// </summary>
public abstract class ServiceFactory<TProgram>(string connectionName, string fileName) : WebApplicationFactory<TProgram>, IServiceFactory
    where TProgram : class
{
    private readonly TemporaryDirectory _directory = new($"{connectionName}-tests");

    /// <summary>The service's SQLite file.</summary>
    public string DatabaseFile => _directory.File(fileName);

    public HttpClient CreateClientIn(string environment) =>
        WithWebHostBuilder(builder => builder.UseEnvironment(environment)).CreateClient();

    public HttpClient CreateClientWith((string Key, string Value)[] settings, Action<IServiceCollection>? configureServices = null) =>
        With(settings, configureServices).CreateClient();

    /// <summary>A variant of this service with more settings (and services replaced), on the same files; disposed with it.</summary>
    public WebApplicationFactory<TProgram> With(
        (string Key, string Value)[] settings, Action<IServiceCollection>? configureServices = null) =>
        WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            if (configureServices is not null)
            {
                builder.ConfigureTestServices(configureServices);
            }
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting($"ConnectionStrings:{connectionName}", $"Data Source={DatabaseFile}");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
