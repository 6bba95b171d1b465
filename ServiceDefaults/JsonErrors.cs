using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Every error answer, the handlers' (<see cref="ServiceDefaults.ErrorProblem"/>) and the framework's own (unknown
/// route, wrong method, a crash), is an RFC 9457 problem document that also carries the message as <c>error</c>, the one
/// member the original services sent (<c>{"error":"..."}</c>), so an existing client reads every failure as before.</summary>
public static class JsonErrors
{
    /// <summary>The member that holds the message, as the original services named it.</summary>
    public const string ErrorMember = "error";

    public static IServiceCollection AddJsonErrors(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions[ErrorMember] = problem.Detail ?? problem.Title ?? "request failed";
        });

    public static WebApplication UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
