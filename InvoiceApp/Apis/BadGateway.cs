using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace InvoiceApp.Apis;

/// <summary>502 with a JSON body, as <c>Ok&lt;T&gt;</c> is 200: a plain <c>JsonHttpResult</c> would hide the status
/// from the signature and the OpenAPI document.</summary>
public sealed class BadGateway<TValue>(TValue value) : IResult, IStatusCodeHttpResult, IValueHttpResult<TValue>, IValueHttpResult,
    IEndpointMetadataProvider
{
    public int StatusCode => StatusCodes.Status502BadGateway;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public TValue Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        // The source-generated contract the service registered for TValue: no reflection.
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return httpContext.Response.WriteAsJsonAsync(Value, json.GetTypeInfo(typeof(TValue)), contentType: null,
            httpContext.RequestAborted);
    }

    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types",
        Justification = "IEndpointMetadataProvider is a static interface member, as on the framework's Ok<T>.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status502BadGateway, typeof(TValue), ["application/json"]));
}
