using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace InvoiceApp.PayApi;

/// <summary>What a pay call presented, judged against <c>PayApi:ApiKey</c>.</summary>
public enum PresentedKey
{
    /// <summary>No key is configured (<c>PayApi:AllowAnonymous</c>, or Development): every call may pay.</summary>
    NotRequired,
    Valid,
    Missing,
    Wrong,
}

/// <summary>Tells a pay call's credential apart; the rate limit and the key filter both ask it.</summary>
public sealed class PayApiKey(IOptions<PayApiOptions> options)
{
    private const string Scheme = "Bearer";

    // Hashing both sides first makes the comparison take the same time whatever the length of the key sent.
    private readonly byte[]? _expectedHash = options.Value.ApiKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public PresentedKey Judge(HttpRequest request)
    {
        if (_expectedHash is null)
        {
            return PresentedKey.NotRequired;
        }
        return Token(request) switch
        {
            null => PresentedKey.Missing,
            var token when CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _expectedHash) =>
                PresentedKey.Valid,
            _ => PresentedKey.Wrong,
        };
    }

    /// <summary>The token of the one <c>Authorization: Bearer</c> header, or null when there is none (or more than one).</summary>
    private static string? Token(HttpRequest request)
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
