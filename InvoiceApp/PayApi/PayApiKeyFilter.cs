using ServiceDefaults;

namespace InvoiceApp.PayApi;

/// <summary>
/// Lets a pay call through only with <c>Authorization: Bearer &lt;PayApi:ApiKey&gt;</c> when a key is configured;
/// otherwise answers 401 with <c>WWW-Authenticate: Bearer</c> and a problem document before the handler runs.
/// </summary>
public sealed class PayApiKeyFilter(PayApiKey key) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        switch (key.Judge(http.Request))
        {
            case PresentedKey.NotRequired or PresentedKey.Valid:
                return await next(context);
            case PresentedKey.Missing:
                // RFC 6750: a missing credential gets the bare challenge, a wrong one says the token is invalid.
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return new UnauthorizedProblem("POST /invoices/pay requires an API key: send it as Authorization: Bearer <key>");
            default:
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return new UnauthorizedProblem("the API key sent is not valid");
        }
    }
}
