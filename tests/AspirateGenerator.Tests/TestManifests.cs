using AspirateGenerator.Manifest;

namespace AspirateGenerator.Tests;

/// <summary>Small manifests shaped like what the AppHost publishes, built in code so each test shows its input.</summary>
internal static class TestManifests
{
    public static ManifestBinding Http(bool external = false) => new("http", "tcp", "http", External: external);

    public static ManifestBinding Https(bool external = false) => new("https", "tcp", "http", External: external);

    public static ManifestResource Project(IReadOnlyDictionary<string, string>? env = null, bool https = true) => new(
        "project.v0",
        Env: env ?? new Dictionary<string, string>(),
        Bindings: https
            ? new Dictionary<string, ManifestBinding> { ["http"] = Http(), ["https"] = Https() }
            : new Dictionary<string, ManifestBinding> { ["http"] = Http() });

    public static ManifestResource Postgres() => new(
        "container.v0",
        Image: "docker.io/library/postgres:18.3",
        ConnectionString: "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
        Env: new Dictionary<string, string>
        {
            ["POSTGRES_USER"] = "postgres",
            ["POSTGRES_PASSWORD"] = "{postgres-password.value}",
        },
        Bindings: new Dictionary<string, ManifestBinding> { ["tcp"] = new("tcp", "tcp", "tcp", TargetPort: 5432) },
        Volumes: [new ManifestVolume("postgres-data", "/var/lib/postgresql")]);

    public static ManifestResource SecretParameter(string? defaultValue = null) => new(
        "parameter.v0",
        Value: "{postgres-password.inputs.value}",
        Inputs: new Dictionary<string, ManifestInput>
        {
            ["value"] = new("string", Secret: true, Default: defaultValue is null
                ? new ManifestInputDefault(Generate: new ManifestGenerateDefault(22))
                : new ManifestInputDefault(Value: defaultValue)),
        });

    /// <summary>Two projects, PostgreSQL with a volume and a generated password, two databases: the AppHost's shape.</summary>
    public static AspireManifest InvoicePayments(string? passwordDefault = null) => new(new Dictionary<string, ManifestResource>
    {
        ["payment-provider"] = Project(new Dictionary<string, string>
        {
            ["HTTP_PORTS"] = "{payment-provider.bindings.http.targetPort}",
            ["ConnectionStrings__paymentsdb"] = "{paymentsdb.connectionString}",
            ["PAYMENTSDB_HOST"] = "{postgres.bindings.tcp.host}",
            ["PAYMENTSDB_PORT"] = "{postgres.bindings.tcp.port}",
            ["PAYMENTSDB_PASSWORD"] = "{postgres-password.value}",
            ["PAYMENTSDB_URI"] = "postgresql://postgres:{postgres-password-uri-encoded.value}@{postgres.bindings.tcp.host}:{postgres.bindings.tcp.port}/paymentsdb",
        }),
        ["invoice-app"] = Project(new Dictionary<string, string>
        {
            ["HTTP_PORTS"] = "{invoice-app.bindings.http.targetPort}",
            ["services__payment-provider__http__0"] = "{payment-provider.bindings.http.url}",
            ["services__payment-provider__https__0"] = "{payment-provider.bindings.https.url}",
            ["ConnectionStrings__invoicesdb"] = "{invoicesdb.connectionString}",
        }),
        ["postgres"] = Postgres(),
        ["paymentsdb"] = new("value.v0", ConnectionString: "{postgres.connectionString};Database=paymentsdb"),
        ["invoicesdb"] = new("value.v0", ConnectionString: "{postgres.connectionString};Database=invoicesdb"),
        ["postgres-password"] = SecretParameter(passwordDefault),
        ["postgres-password-uri-encoded"] = new("annotated.string", Value: "{postgres-password.value}", Filter: "uri"),
    });

    public static AspireManifest With(this AspireManifest manifest, string name, ManifestResource resource) =>
        new(new Dictionary<string, ManifestResource>(manifest.Resources) { [name] = resource });
}
