using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace TestSupport;

/// <summary>The interactive API page a service serves in Development, at <see cref="Path"/>.</summary>
public static partial class ApiPage
{
    public const string Path = "/scalar";

    /// <summary>
    /// The page answers with HTML that loads the service's OpenAPI document, and every script it loads comes from the
    /// service itself (so it works offline) and is there.
    /// </summary>
    public static async Task AssertServedAsync(HttpClient client)
    {
        var cancel = TestContext.Current.CancellationToken;
        var page = await client.GetAsync(Path, cancel);
        var html = await page.Content.ReadAsStringAsync(cancel);

        Assert.True(HttpStatusCode.OK == page.StatusCode, $"{Path}: {(int)page.StatusCode} {html}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains(OpenApiAssert.DocumentPath.TrimStart('/'), html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(match => match.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(Uri.TryCreate(script, UriKind.Absolute, out _), $"the page loads {script} from elsewhere");
            var answer = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, Path + "/"), script), cancel);
            Assert.True(HttpStatusCode.OK == answer.StatusCode, $"{script}: {(int)answer.StatusCode}");
            Assert.Contains("javascript", answer.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
    }

    public static async Task AssertNotServedAsync(HttpClient client)
    {
        var page = await client.GetAsync(Path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [GeneratedRegex("""<script[^>]*\ssrc\s*=\s*["'](?<src>[^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
