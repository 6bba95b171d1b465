using ServiceDefaults;

namespace InvoiceApp.PayApi;

/// <summary>401 with <c>WWW-Authenticate: Bearer</c> before the handler runs, when a key is configured and not sent.</summary>
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
