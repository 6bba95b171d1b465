using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PaymentProvider.Apis;

/// <summary>Why a request body could not be read, or the value it held.</summary>
public abstract record JsonBody<T>
{
    private JsonBody() { }

    public sealed record Read(T Value) : JsonBody<T>;
    public sealed record TooLarge(long LimitBytes) : JsonBody<T>;
    public sealed record NotJson(string? ContentType) : JsonBody<T>;
    public sealed record Malformed : JsonBody<T>;
}

/// <summary>Tells oversized, mistyped and broken bodies apart, without the framework's own 400 page.</summary>
public static class JsonBodyReader
{
    public static Task<JsonBody<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> contract, int limitBytes,
        CancellationToken cancellationToken) =>
        ReadAsync(request, utf8 => JsonSerializer.Deserialize(utf8, contract), limitBytes, cancellationToken);

    /// <summary>Lets <paramref name="parse"/> see the raw UTF-8 text, for rules the parsed value cannot show
    /// (duplicate keys, a number's exact digits).</summary>
    public static async Task<JsonBody<T>> ReadAsync<T>(HttpRequest request, Func<ReadOnlySpan<byte>, T?> parse, int limitBytes,
        CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return new JsonBody<T>.NotJson(request.ContentType);
        }
        if (request.ContentLength > limitBytes)
        {
            return new JsonBody<T>.TooLarge(limitBytes);
        }

        // A chunked body has no length up front: read at most one byte past the limit to know. The buffer is
        // borrowed: a fresh one per request made most of this service's garbage, and so its collections.
        var buffer = ArrayPool<byte>.Shared.Rent(limitBytes + 1);
        try
        {
            var length = 0;
            try
            {
                int read;
                while (length <= limitBytes &&
                       (read = await request.Body.ReadAsync(buffer.AsMemory(length, limitBytes + 1 - length), cancellationToken)) > 0)
                {
                    length += read;
                }
            }
            catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return new JsonBody<T>.TooLarge(limitBytes);
            }
            catch (BadHttpRequestException)
            {
                return new JsonBody<T>.Malformed();
            }
            if (length > limitBytes)
            {
                return new JsonBody<T>.TooLarge(limitBytes);
            }

            try
            {
                var value = parse(buffer.AsSpan(0, length));
                return value is null ? new JsonBody<T>.Malformed() : new JsonBody<T>.Read(value);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                // ArgumentException covers bytes that are not UTF-8.
                return new JsonBody<T>.Malformed();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
