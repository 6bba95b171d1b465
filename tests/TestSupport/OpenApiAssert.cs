using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Xunit;

namespace TestSupport;

/// <summary>
/// What a service's OpenAPI document must hold: every route the application maps (read from its own
/// <see cref="EndpointDataSource"/>), each with every status its endpoint declares, and for each status with a body
/// that body's content type and schema; a problem document's schema names <c>error</c>.
/// </summary>
public static class OpenApiAssert
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>The routes a document does not describe: the document itself, and the page that shows it.</summary>
    private static readonly string[] DocumentationRoutes = ["/openapi/{documentName}.json", "/scalar"];

    public static async Task<JsonElement> DocumentAsync(HttpClient client)
    {
        var response = await client.GetAsync(DocumentPath, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{DocumentPath}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>
    /// Checks every mapped route against the document and returns what each endpoint declares, one
    /// "METHOD /route: status status ..." a line in order, for the caller to compare with what the contract says.
    /// </summary>
    public static IReadOnlyList<string> DescribesEveryEndpoint(JsonElement document, EndpointDataSource endpoints)
    {
        var paths = document.GetProperty("paths");
        var declared = new List<string>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var route = Normalize(endpoint.RoutePattern.RawText ?? "");
            if (DocumentationRoutes.Any(documentation => route.StartsWith(documentation, StringComparison.Ordinal)))
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            Assert.True(methods.Count > 0, $"{route} answers any method, so no document can describe it");
            var pathItem = PathItem(paths, route);
            var statuses = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();
            Assert.True(statuses.Count > 0, $"{route} declares no status");
            foreach (var method in methods)
            {
                Assert.True(pathItem.TryGetProperty(method.ToLowerInvariant(), out var operation),
                    $"{method} {route} is not in the document");
                var responses = operation.GetProperty("responses");
                foreach (var status in statuses)
                {
                    var code = status.StatusCode.ToString(CultureInfo.InvariantCulture);
                    Assert.True(responses.TryGetProperty(code, out var response),
                        $"{method} {route}: status {code} is not in the document");
                    if (status.Type is { } type && type != typeof(void))
                    {
                        AssertBody(document, response, status, $"{method} {route} {code}");
                    }
                }
                declared.Add($"{method} {route}: {string.Join(' ', statuses.Select(status => status.StatusCode).Distinct().Order())}");
            }
        }
        return [.. declared.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every operation of the document, in its order: the method in capitals, the path and the operation.</summary>
    public static IEnumerable<(string Method, string Path, JsonElement Value)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace"
        select (operation.Name.ToUpperInvariant(), path.Name, operation.Value);

    /// <summary>The names of a component schema's properties, in ordinal order.</summary>
    public static string[] PropertyNames(JsonElement document, string schema) =>
        PropertyNames(document.GetProperty("components").GetProperty("schemas").GetProperty(schema));

    /// <summary>The names of a schema's properties, in ordinal order.</summary>
    public static string[] PropertyNames(JsonElement schema) =>
        [.. schema.GetProperty("properties").EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal)];

    private static void AssertBody(JsonElement document, JsonElement response, IProducesResponseTypeMetadata status, string where)
    {
        Assert.True(response.TryGetProperty("content", out var content), $"{where}: the document gives no body");
        Assert.NotEmpty(status.ContentTypes);
        foreach (var contentType in status.ContentTypes)
        {
            Assert.True(content.TryGetProperty(contentType, out var media), $"{where}: no {contentType} body in the document");
            Assert.True(media.TryGetProperty("schema", out var schema), $"{where}: the {contentType} body has no schema");
            if (contentType == ProblemAssert.MediaType)
            {
                var problem = Resolve(document, schema);
                Assert.True(problem.TryGetProperty("properties", out var properties) && properties.TryGetProperty("error", out _),
                    $"{where}: the problem schema has no error member: {problem}");
                Assert.Contains("error", problem.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
            }
        }
    }

    /// <summary>The schema itself, or the component it refers to.</summary>
    public static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }
        var name = reference.GetString()!["#/components/schemas/".Length..];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }

    private static JsonElement PathItem(JsonElement paths, string route)
    {
        foreach (var path in paths.EnumerateObject())
        {
            if (Normalize(path.Name) == route)
            {
                return path.Value;
            }
        }
        Assert.Fail($"{route} is not in the document; it has {string.Join(", ", paths.EnumerateObject().Select(path => path.Name))}");
        return default;
    }

    /// <summary>A group's "/" route is "/payments/" to routing and may be "/payments" to the document.</summary>
    private static string Normalize(string route) => "/" + route.Trim('/');
}
