using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Deployment.Tests;

/// <summary>One variable a container gets, and where it comes from.</summary>
public sealed record EnvironmentEntry(string Source, string Key, string Value)
{
    public override string ToString() => $"{Source}: {Key}={Value}";
}

/// <summary>An address found in a variable: the host and port a pod would connect to.</summary>
public sealed record Address(string Host, int Port, EnvironmentEntry Entry);

/// <summary>
/// The environment a container of a rendered workload gets (its ConfigMaps, the given Secrets, its own env),
/// and what the post-processing tests read from it: addresses, listening ports, secrets, unresolved expressions.
/// </summary>
public static partial class ContainerEnvironment
{
    public static IReadOnlyList<EnvironmentEntry> Of(
        RenderedDeployment rendered, Workload workload, V1Container container, IReadOnlyList<V1Secret>? secrets = null)
    {
        var entries = new List<EnvironmentEntry>();
        var configMaps = rendered.OfType<V1ConfigMap>().Where(c => c.Metadata.NamespaceProperty == workload.Namespace).ToList();
        var namespaceSecrets = (secrets ?? []).Where(s => s.Metadata.NamespaceProperty == workload.Namespace).ToList();
        foreach (var reference in container.EnvFrom ?? [])
        {
            if (reference.ConfigMapRef is { } map && configMaps.SingleOrDefault(c => c.Metadata.Name == map.Name) is { } configMap)
            {
                entries.AddRange((configMap.Data ?? new Dictionary<string, string>())
                    .Select(e => new EnvironmentEntry($"ConfigMap {map.Name}", reference.Prefix + e.Key, e.Value)));
            }
            if (reference.SecretRef is { } secretRef
                && namespaceSecrets.SingleOrDefault(s => s.Metadata.Name == secretRef.Name) is { } secret)
            {
                entries.AddRange(DeployDryRun.Entries(secret)
                    .Select(e => new EnvironmentEntry($"Secret {secretRef.Name}", reference.Prefix + e.Key, e.Value)));
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            var value = variable.Value
                ?? (variable.ValueFrom?.ConfigMapKeyRef is { } key
                    && configMaps.SingleOrDefault(c => c.Metadata.Name == key.Name)?.Data is { } data
                    ? data.TryGetValue(key.Key, out var mapped) ? mapped : null
                    : null)
                ?? (variable.ValueFrom?.SecretKeyRef is { } secretKey
                    && namespaceSecrets.SingleOrDefault(s => s.Metadata.Name == secretKey.Name) is { } keyed
                    ? DeployDryRun.Entries(keyed).GetValueOrDefault(secretKey.Key)
                    : null);
            if (value is not null)
            {
                entries.Add(new EnvironmentEntry($"env of {container.Name}", variable.Name, value));
            }
        }
        return entries;
    }

    /// <summary>The Secrets a container reads, by name: whole (envFrom) or one key (valueFrom), or mounted by its pod.</summary>
    public static IReadOnlyList<string> SecretsRead(V1PodSpec pod, V1Container container) =>
        (container.EnvFrom ?? []).Select(e => e.SecretRef?.Name)
            .Concat((container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name))
            .Concat((pod.Volumes ?? []).Select(v => v.Secret?.SecretName))
            .OfType<string>().Distinct().ToList();

    // A password, key or token by name, when it has a value; or a value carrying credentials.
    [GeneratedRegex("PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|APIKEY|(^|_)KEY($|_)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(^|;)\s*(password|pwd)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordSetting();

    [GeneratedRegex(@"://[^/@:\s]+:[^/@\s]+@")]
    private static partial Regex UserInfoWithPassword();

    public static bool LooksSecret(string name, string? value) =>
        (!string.IsNullOrEmpty(value) && SecretName().IsMatch(name))
        || PasswordSetting().IsMatch(value ?? "")
        || UserInfoWithPassword().IsMatch(value ?? "");

    // An Aspire manifest expression Aspirate left in place, e.g. {postgres-password-uri-encoded.value}.
    [GeneratedRegex(@"\{[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+(\|[a-z]+)?\}")]
    private static partial Regex ManifestExpression();

    public static bool HoldsUnresolvedExpression(string value) => ManifestExpression().IsMatch(value);

    [GeneratedRegex(
        @"^(?:jdbc:)?(?<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/]*@)?(?<host>[^:/?#;,]+)(?::(?<port>\d+))?", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    private static readonly Dictionary<string, int> DefaultPorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = 80, ["https"] = 443, ["postgres"] = 5432, ["postgresql"] = 5432,
    };

    // Where a process listens (http://+:8080), not where it connects to.
    private static readonly HashSet<string> BindAddresses =
        ["ASPNETCORE_URLS", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"];

    /// <summary>
    /// Every address in the environment: connection strings (Host= and Port=, PostgreSQL's 5432 by default), URLs
    /// (service discovery's services__*, OTLP, JDBC, URIs) and *_HOST with its *_PORT.
    /// </summary>
    public static IEnumerable<Address> Addresses(IReadOnlyList<EnvironmentEntry> environment)
    {
        foreach (var entry in environment.Where(e => !BindAddresses.Contains(e.Key)))
        {
            if (Url().Match(entry.Value) is { Success: true } url)
            {
                var port = url.Groups["port"].Success ? int.Parse(url.Groups["port"].Value, CultureInfo.InvariantCulture)
                    : DefaultPorts.GetValueOrDefault(url.Groups["scheme"].Value);
                yield return new Address(url.Groups["host"].Value, port, entry);
            }
            else if (entry.Key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase))
            {
                var settings = entry.Value.Split(';', StringSplitOptions.RemoveEmptyEntries)
                    .Select(part => part.Split('=', 2))
                    .Where(pair => pair.Length == 2)
                    .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var host = settings.GetValueOrDefault("Host") ?? settings.GetValueOrDefault("Server") ?? "";
                var port = int.TryParse(settings.GetValueOrDefault("Port"), CultureInfo.InvariantCulture, out var number) ? number : 5432;
                yield return new Address(host, port, entry);
            }
            else if (entry.Key.EndsWith("_HOST", StringComparison.Ordinal))
            {
                var portKey = entry.Key[..^"_HOST".Length] + "_PORT";
                var port = environment.FirstOrDefault(e => e.Key == portKey) is { } portEntry
                    && int.TryParse(portEntry.Value, CultureInfo.InvariantCulture, out var number) ? number : 0;
                yield return new Address(entry.Value, port, entry);
            }
        }
    }

    /// <summary>
    /// The Service a host name means from a pod in <paramref name="podNamespace"/>: a short name is looked up in the
    /// pod's own namespace; <c>name.ns</c>, <c>name.ns.svc</c> and <c>name.ns.svc.cluster.local</c> in <c>ns</c>.
    /// Null for anything else (an outside host is no Service of the render).
    /// </summary>
    public static (string Name, string Namespace)? ServiceOf(string host, string podNamespace)
    {
        var parts = host.TrimEnd('.').Split('.');
        return parts switch
        {
            [var name] when name.Length > 0 => (name, podNamespace),
            [var name, var ns] => (name, ns),
            [var name, var ns, "svc"] => (name, ns),
            [var name, var ns, "svc", "cluster", "local"] => (name, ns),
            _ => null,
        };
    }

    /// <summary>Whether a pod in <paramref name="podNamespace"/> reaches a Service port of the render at this address.</summary>
    public static bool Resolves(RenderedDeployment rendered, Address address, string podNamespace) =>
        ServiceOf(address.Host, podNamespace) is var (name, ns)
        && rendered.OfType<V1Service>().Any(s => s.Metadata.Name == name && (s.Metadata.NamespaceProperty ?? podNamespace) == ns
            && s.Spec.Ports.Any(p => p.Port == address.Port));

    [GeneratedRegex(@"://[^/]*?:(?<port>\d+)(/|$)")]
    private static partial Regex UrlPort();

    /// <summary>
    /// The ports a container's process listens on, as its environment configures it: PostgreSQL on PGPORT or
    /// 5432; Prometheus on its --web.listen-address or 9090; an ASP.NET Core process on ASPNETCORE_URLS when set
    /// (it overrides the rest), else on HTTP_PORTS/HTTPS_PORTS (8080 when neither is set, the .NET images' default),
    /// plus the dashboard's OTLP URLs.
    /// </summary>
    public static IReadOnlySet<int> ListeningPorts(V1Container container, IReadOnlyList<EnvironmentEntry> environment)
    {
        string? Get(string key) => environment.LastOrDefault(e => e.Key == key)?.Value;
        IEnumerable<int> UrlPorts(string? urls) => (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(u => UrlPort().Match(u.Trim()))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture));
        IEnumerable<int> PortList(params string[] keys) => keys.Select(Get).OfType<string>()
            .SelectMany(v => v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture));

        var repository = container.Image.Split('@')[0];
        repository = repository[(repository.LastIndexOf('/') + 1)..].Split(':')[0];
        if (repository == "prometheus")
        {
            var address = (container.Args ?? []).FirstOrDefault(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal));
            return new HashSet<int>
            {
                address is null ? 9090 : int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture),
            };
        }
        if (repository == "postgres")
        {
            return new HashSet<int> { int.TryParse(Get("PGPORT"), CultureInfo.InvariantCulture, out var pgPort) ? pgPort : 5432 };
        }
        var ports = new HashSet<int>(Get("ASPNETCORE_URLS") is { Length: > 0 } urls
            ? UrlPorts(urls)
            : PortList("ASPNETCORE_HTTP_PORTS", "HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTPS_PORTS").DefaultIfEmpty(8080));
        ports.UnionWith(UrlPorts(Get("DOTNET_DASHBOARD_OTLP_ENDPOINT_URL")));
        ports.UnionWith(UrlPorts(Get("DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL")));
        return ports;
    }
}
