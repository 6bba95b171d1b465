using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Each service describes its API at <see cref="DocumentPath"/> in every environment, and in Development serves the
/// interactive page at <see cref="ApiPagePath"/> (Scalar, its script served by the service itself, so it works offline).
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/openapi/v1.json";

    public const string ApiPagePath = "/scalar";

    public const string HealthTag = "Health";

    private static readonly HashSet<string> ProbePaths = ["/health", "/alive", "/liveness", "/readiness"];

    public static TBuilder AddDefaultOpenApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(options => options
            .AddOperationTransformer(TagProbes)
            .AddDocumentTransformer(PutTheApiFirst)
            .AddSchemaTransformer(DescribeProblemMembers));
        return builder;
    }

    // The probes are mapped by ServiceDefaults for every service, so they are tagged here rather than where mapped.
    private static Task TagProbes(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _)
    {
        if (ProbePaths.Contains("/" + context.Description.RelativePath?.Trim('/')))
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(HealthTag, context.Document) };
        }
        return Task.CompletedTask;
    }

    // The probes are mapped before the API, and the page shows paths and tags in the document's order.
    private static Task PutTheApiFirst(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken _)
    {
        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths.OrderBy(path => ProbePaths.Contains(path.Key)))
        {
            paths.Add(path, item);
        }
        document.Paths = paths;

        // The tags the operations use, in the order of their paths; the probes' default tag (the service's name) is gone.
        var used = paths.Values
            .SelectMany(item => item.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags?.AsEnumerable() ?? [])
            .Select(tag => tag.Name)
            .Distinct();
        document.Tags = new HashSet<OpenApiTag>(used.Select(name => name == HealthTag
            ? new OpenApiTag { Name = HealthTag, Description = "The probes: Kubernetes and the AppHost ask them." }
            : document.Tags?.FirstOrDefault(tag => tag.Name == name) ?? new OpenApiTag { Name = name }));
        return Task.CompletedTask;
    }

    private static Task DescribeProblemMembers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken _)
    {
        // The framework's schema of a problem document knows its standard members only; JsonErrors adds two.
        if (context.JsonTypeInfo.Type == typeof(ProblemDetails))
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties[JsonErrors.ErrorMember] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description =
                    "The message, as the original services sent it in {\"error\":...}; the same text as detail where there is one.",
            };
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The trace under which the service logged the request.",
            };
            schema.Required ??= new HashSet<string>();
            schema.Required.Add(JsonErrors.ErrorMember);
        }
        return Task.CompletedTask;
    }

    public static WebApplication MapDefaultOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            // Nothing from elsewhere: the fonts would come from Scalar's CDN, and the page would report its use.
            // No tag sorter: the page keeps the document's order; Scalar's one sorter, alphabetical, would put Health first.
            app.MapScalarApiReference(ApiPagePath, page => page
                .WithTitle($"{app.Environment.ApplicationName} API")
                .DisableDefaultFonts()
                .DisableTelemetry());
        }
        return app;
    }
}
