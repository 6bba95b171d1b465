using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace InvoiceApp.PayApi;

/// <summary>
/// Lets a pay call through only with <c>Authorization: Bearer &lt;PayApi:ApiKey&gt;</c> when a key is configured;
/// otherwise answers 401 with <c>WWW-Authenticate: Bearer</c> and a problem document before the handler runs.
/// </summary>
public sealed class PayApiKeyFilter(IOptions<PayApiOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer";

    // Hashing both sides first makes the comparison take the same time whatever the length of the key sent.
    private readonly byte[]? _expectedHash = options.Value.ApiKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expectedHash is null)
        {
            return await next(context);
        }
        var http = context.HttpContext;
        var presented = PresentedKey(http.Request);
        if (presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expectedHash))
        {
            return await next(context);
        }
        // RFC 6750: a missing credential gets the bare challenge, a wrong one says the token is invalid.
        http.Response.Headers.WWWAuthenticate = presented is null ? Scheme : $"{Scheme} error=\"invalid_token\"";
        var error = presented is null
            ? "POST /invoices/pay requires an API key: send it as Authorization: Bearer <key>"
            : "the API key sent is not valid";
        return new UnauthorizedProblem(error);
    }

    /// <summary>The token of the one <c>Authorization: Bearer</c> header, or null when there is none (or more than one).</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        var headers = request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } header)
        {
            return null;
        }
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !header.AsSpan(0, space).Equals(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header[(space + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }
}
