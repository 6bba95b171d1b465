using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDefaults;

/// <summary>A handler's error answer: a problem document whose <c>detail</c> and <c>error</c> hold the message. One sealed
/// type per status, so a handler's <c>Results&lt;...&gt;</c> names each status it answers and the OpenAPI document lists
/// each with the problem body and its content type; the framework's <c>BadRequest&lt;T&gt;</c> and the like declare
/// <c>application/json</c>, and it has no type at all for 413, 415 or 503.</summary>
public abstract class ErrorProblem
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult<ProblemDetails>, IValueHttpResult
{
    public const string MediaType = "application/problem+json";

    private protected ErrorProblem(int statusCode, string error)
    {
        StatusCode = statusCode;
        Value = new ProblemDetails { Status = statusCode, Title = ReasonPhrases.GetReasonPhrase(statusCode), Detail = error };
        // Set here as well as by JsonErrors: the fallback below writes the document without the customization.
        Value.Extensions[JsonErrors.ErrorMember] = error;
    }

    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public ProblemDetails Value { get; }

    object? IValueHttpResult.Value => Value;

    public string ContentType => MediaType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        var problems = httpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = Value }))
        {
            // The problem writer declines a client whose Accept header names no JSON; the contract still promises it
            // a JSON error rather than an empty answer.
            var json = httpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()
                .Value.SerializerOptions;
            var typeInfo = (JsonTypeInfo<ProblemDetails>)json.GetTypeInfo(typeof(ProblemDetails));
            await httpContext.Response.WriteAsJsonAsync(Value, typeInfo, MediaType);
        }
    }

    private protected static void Describe(EndpointBuilder builder, int statusCode) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [MediaType]));
}

public sealed class BadRequestProblem(string error)
    : ErrorProblem(StatusCodes.Status400BadRequest, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status400BadRequest);
}

public sealed class UnauthorizedProblem(string error)
    : ErrorProblem(StatusCodes.Status401Unauthorized, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status401Unauthorized);
}

public sealed class NotFoundProblem(string error)
    : ErrorProblem(StatusCodes.Status404NotFound, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status404NotFound);
}

public sealed class ConflictProblem(string error)
    : ErrorProblem(StatusCodes.Status409Conflict, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status409Conflict);
}

public sealed class PayloadTooLargeProblem(string error)
    : ErrorProblem(StatusCodes.Status413PayloadTooLarge, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status413PayloadTooLarge);
}

public sealed class UnsupportedMediaTypeProblem(string error)
    : ErrorProblem(StatusCodes.Status415UnsupportedMediaType, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>429: the client made too many calls; the answer says when to try again.</summary>
public sealed class TooManyRequestsProblem(string error)
    : ErrorProblem(StatusCodes.Status429TooManyRequests, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status429TooManyRequests);
}

/// <summary>503: the service cannot take the call now; the answer says when to try again.</summary>
public sealed class ServiceUnavailableProblem(string error)
    : ErrorProblem(StatusCodes.Status503ServiceUnavailable, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status503ServiceUnavailable);
}
