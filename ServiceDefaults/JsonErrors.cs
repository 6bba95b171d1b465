using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>The error body every answer of 400 and above carries: <c>{"error":"..."}</c>, as the original services sent.</summary>
public sealed record ErrorResponse(string Error);

/// <summary>
/// Errors the framework produces itself (unknown route, wrong method, a crash) become RFC 7807 problem documents
/// that also carry <c>error</c>, so a client reads every failure the same way.
/// </summary>
public static class JsonErrors
{
    public static IServiceCollection AddJsonErrors(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions["error"] = problem.Detail ?? problem.Title ?? "request failed";
        });

    public static WebApplication UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
