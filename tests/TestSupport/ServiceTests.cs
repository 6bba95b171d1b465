namespace TestSupport;

/// <summary>
/// A test class whose every test gets a service of its own in memory (xunit makes an instance per test) and a
/// client of it, started on first use.
/// </summary>
public abstract class ServiceTests<TFactory> : IDisposable
    where TFactory : IServiceFactory, new()
{
    private HttpClient? _client;

    protected TFactory Factory { get; } = new();

    protected HttpClient Client => _client ??= Factory.CreateClient();

    public void Dispose()
    {
        _client?.Dispose();
        Factory.Dispose();
    }
}
