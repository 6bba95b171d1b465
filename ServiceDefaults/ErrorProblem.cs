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

/// <summary>
/// An error answer of a handler: a problem document whose <c>detail</c> and <c>error</c> hold the message. There is
/// one sealed type per status, because a handler's <c>Results&lt;...&gt;</c> can then name each status it answers and
/// the endpoint's metadata (and so the OpenAPI document) lists each with the problem body and its content type; the
/// framework's <c>BadRequest&lt;T&gt;</c> and the like declare <c>application/json</c>, and it has no type at all
/// for 413, 415 or 503.
/// </summary>
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

    /// <summary>Declares the status with the problem document as its body, as <c>ProducesProblem</c> does.</summary>
    private protected static void Describe(EndpointBuilder builder, int statusCode) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [MediaType]));
}

/// <summary>400: the request is malformed or breaks a rule of the contract.</summary>
public sealed class BadRequestProblem(string error)
    : ErrorProblem(StatusCodes.Status400BadRequest, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status400BadRequest);
}

/// <summary>401: the endpoint needs a credential that was missing or wrong.</summary>
public sealed class UnauthorizedProblem(string error)
    : ErrorProblem(StatusCodes.Status401Unauthorized, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>404: no such resource.</summary>
public sealed class NotFoundProblem(string error)
    : ErrorProblem(StatusCodes.Status404NotFound, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status404NotFound);
}

/// <summary>409: the request contradicts what is already recorded.</summary>
public sealed class ConflictProblem(string error)
    : ErrorProblem(StatusCodes.Status409Conflict, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status409Conflict);
}

/// <summary>413: the body is over the endpoint's limit.</summary>
public sealed class PayloadTooLargeProblem(string error)
    : ErrorProblem(StatusCodes.Status413PayloadTooLarge, error), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status413PayloadTooLarge);
}

/// <summary>415: the body is not of a content type the endpoint reads.</summary>
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
