using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
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

    public static TBuilder AddDefaultOpenApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            // The framework's schema of a problem document knows its standard members only; JsonErrors adds two.
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties[JsonErrors.ErrorMember] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The message, as the original services sent it in {\"error\":...}; the same text as detail where there is one.",
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
        }));
        return builder;
    }

    public static WebApplication MapDefaultOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            // Nothing from elsewhere: the fonts would come from Scalar's CDN, and the page would report its use.
            app.MapScalarApiReference(ApiPagePath, page => page
                .WithTitle($"{app.Environment.ApplicationName} API")
                .DisableDefaultFonts()
                .DisableTelemetry());
        }
        return app;
    }
}
