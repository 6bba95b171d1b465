using System.Net;
using System.Text.Json;
using Xunit;

namespace TestSupport;

/// <summary>Every error answer is a problem document that keeps the original services' <c>error</c> member.</summary>
public static class ProblemAssert
{
    public const string MediaType = "application/problem+json";

    /// <summary>
    /// Asserts the status, the problem content type and the document's <c>status</c>, and that <c>detail</c>, where
    /// the document has one, says what <c>error</c> says; returns <c>error</c>.
    /// </summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(MediaType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), text);
        var error = problem.GetProperty("error").GetString();
        Assert.False(string.IsNullOrEmpty(error), text);
        if (problem.TryGetProperty("detail", out var detail))
        {
            Assert.Equal(error, detail.GetString());
        }
        return error;
    }

    /// <summary>
    /// As <see cref="ErrorAsync(HttpResponseMessage, HttpStatusCode)"/>, and <c>error</c> is exactly <paramref name="expectedError"/>.
    /// </summary>
    public static async Task ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string expectedError) =>
        Assert.Equal(expectedError, await ErrorAsync(response, status));
}
