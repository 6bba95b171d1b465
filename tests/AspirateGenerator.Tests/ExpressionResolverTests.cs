using AspirateGenerator.Manifest;
using AspirateGenerator.Resolution;

namespace AspirateGenerator.Tests;

public sealed class ExpressionResolverTests
{
    private readonly ExpressionResolver _resolver = new(TestManifests.InvoicePayments());

    [Theory]
    [InlineData("{payment-provider.bindings.http.url}", "http://payment-provider:8080")]
    [InlineData("{payment-provider.bindings.http.targetPort}", "8080")]
    [InlineData("{payment-provider.bindings.http.port}", "8080")]
    [InlineData("{payment-provider.bindings.http.host}", "payment-provider")]
    [InlineData("{payment-provider.bindings.http.scheme}", "http")]
    [InlineData("{postgres.bindings.tcp.host}", "postgres")]
    [InlineData("{postgres.bindings.tcp.port}", "5432")]
    [InlineData("{postgres.bindings.tcp.url}", "tcp://postgres:5432")]
    [InlineData("jdbc:postgresql://{postgres.bindings.tcp.host}:{postgres.bindings.tcp.port}/paymentsdb", "jdbc:postgresql://postgres:5432/paymentsdb")]
    [InlineData("no expression at all", "no expression at all")]
    [InlineData("{{literal braces}}", "{literal braces}")]
    public void Bindings_resolve_to_the_in_cluster_service_address(string expression, string expected)
    {
        var value = _resolver.Resolve(expression);

        Assert.False(value.IsSecret);
        Assert.False(value.UsesHttps);
        Assert.Equal(expected, value.Text);
    }

    [Fact]
    public void A_binding_with_a_service_port_resolves_urls_and_port_to_it_and_targetPort_to_the_container_port()
    {
        var manifest = TestManifests.InvoicePayments().With("cache", new ManifestResource(
            "container.v0",
            Image: "redis:7",
            Bindings: new Dictionary<string, ManifestBinding> { ["tcp"] = new("tcp", "tcp", "tcp", Port: 6380, TargetPort: 6379) }));
        var resolver = new ExpressionResolver(manifest);

        Assert.Equal("tcp://cache:6380", resolver.Resolve("{cache.bindings.tcp.url}").Text);
        Assert.Equal("6380", resolver.Resolve("{cache.bindings.tcp.port}").Text);
        Assert.Equal("6379", resolver.Resolve("{cache.bindings.tcp.targetPort}").Text);
    }

    [Fact]
    public void A_secret_parameter_stays_a_placeholder_through_connection_strings()
    {
        var value = _resolver.Resolve("{paymentsdb.connectionString}");

        Assert.True(value.IsSecret);
        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password={postgres-password.value};Database=paymentsdb", value.Template);
        Assert.Throws<InvalidOperationException>(() => value.Text);
    }

    [Fact]
    public void A_uri_filtered_annotated_string_keeps_the_secret_symbolic_with_its_filter()
    {
        var value = _resolver.Resolve("postgresql://postgres:{postgres-password-uri-encoded.value}@{postgres.bindings.tcp.host}/db");

        Assert.True(value.IsSecret);
        Assert.Equal("postgresql://postgres:{postgres-password.value|uri}@postgres/db", value.Template);
    }

    [Fact]
    public void A_uri_filter_encodes_plain_text()
    {
        var manifest = TestManifests.InvoicePayments()
            .With("greeting", new ManifestResource("parameter.v0", Inputs: new Dictionary<string, ManifestInput>
            {
                ["value"] = new("string", Default: new ManifestInputDefault(Value: "a b/c")),
            }))
            .With("greeting-encoded", new ManifestResource("annotated.string", Value: "{greeting.value}", Filter: "uri"));

        Assert.Equal("a%20b%2Fc", new ExpressionResolver(manifest).Resolve("{greeting-encoded.value}").Text);
    }

    [Fact]
    public void A_secret_parameter_default_value_is_never_used()
    {
        var resolver = new ExpressionResolver(TestManifests.InvoicePayments(passwordDefault: "do-not-leak"));

        var value = resolver.Resolve("{postgres-password.value}");

        Assert.Equal([new SecretPart("postgres-password")], value.Parts);
        Assert.DoesNotContain("do-not-leak", value.Template, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{payment-provider.bindings.https.url}")]
    [InlineData("{payment-provider.bindings.https.targetPort}")]
    public void Values_from_an_https_binding_are_marked_for_dropping(string expression)
    {
        Assert.True(_resolver.Resolve(expression).UsesHttps);
    }

    [Theory]
    [InlineData("{missing.bindings.http.url}", "no resource named 'missing'")]
    [InlineData("{payment-provider.bindings.grpc.url}", "no binding 'grpc'")]
    [InlineData("{payment-provider.bindings.http.path}", "Unsupported binding property 'path'")]
    [InlineData("{payment-provider.connectionString}", "has no connectionString")]
    [InlineData("{postgres.image}", "Unsupported expression")]
    [InlineData("open {brace", "Unclosed '{'")]
    public void Unresolvable_expressions_fail_with_a_message_naming_the_problem(string expression, string message)
    {
        var exception = Assert.Throws<InvalidDataException>(() => _resolver.Resolve(expression));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_referencing_value_fails_instead_of_looping()
    {
        var manifest = TestManifests.InvoicePayments().With("loop", new ManifestResource("value.v0", Value: "x{loop.value}"));

        var exception = Assert.Throws<InvalidDataException>(() => new ExpressionResolver(manifest).Resolve("{loop.value}"));

        Assert.Contains("refers to itself", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_parameter_without_default_fails_with_advice()
    {
        var manifest = TestManifests.InvoicePayments().With("region", new ManifestResource("parameter.v0", Inputs: new Dictionary<string, ManifestInput>
        {
            ["value"] = new("string"),
        }));

        var exception = Assert.Throws<InvalidDataException>(() => new ExpressionResolver(manifest).Resolve("{region.value}"));

        Assert.Contains("no default value", exception.Message, StringComparison.Ordinal);
    }
}
