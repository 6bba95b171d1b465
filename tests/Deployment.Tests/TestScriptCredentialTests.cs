using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// test.sh's credential: with an API key (<c>--api-key</c> or <c>API_KEY</c>) it sends <c>Authorization: Bearer</c>
/// on <c>POST /invoices/pay</c> only, and first checks that paying without it is refused. The other end is a
/// stand-in that answers like invoice-app with <c>PayApi:ApiKey</c> set, recording what it was sent.
/// </summary>
public sealed class TestScriptCredentialTests : IAsyncLifetime
{
    private const string Key = "test-key-5f1c";
    private readonly ConcurrentQueue<(string Method, string Path, string? Authorization)> _requests = new();
    private WebApplication? _standIn;
    private Uri? _baseUrl;
    private bool _paid;

    public async ValueTask InitializeAsync()
    {
        Requirement.NeedExecutable("curl", "apt-get install -y curl");
        Requirement.NeedExecutable("jq", "apt-get install -y jq; test.sh reads JSON with it");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _standIn = builder.Build();
        _standIn.Use(async (context, next) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            _requests.Enqueue((
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                authorization.Length == 0 ? null : authorization));
            await next(context);
        });
        _standIn.MapGet("/invoices", (HttpContext context) => Json(200,
            context.Request.Query["paid"] == "false" && _paid
                ? "[]"
                : $$"""[{"InvoiceId":"I1","Value":12.15,"Currency":"EUR","IsPaid":{{(_paid ? "true" : "false")}}}]"""));
        _standIn.MapPost("/invoices/pay", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization.ToString() != $"Bearer {Key}")
            {
                return Json(401, """{"error":"a valid API key is required"}""");
            }
            _paid = true;
            return Json(200, """{"paid":[{"InvoiceId":"I1","Value":12.15,"Currency":"EUR","IsPaid":true}],"failed":[]}""");
        });
        await _standIn.StartAsync(TestContext.Current.CancellationToken);
        _baseUrl = new Uri(_standIn.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        static IResult Json(int status, string body) => Results.Content(body, "application/json", Encoding.UTF8, status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }
    }

    /// <summary>
    /// test.sh against the stand-in; an empty <c>API_KEY</c> (what test.sh reads as none) unless one is given, whatever the
    /// runner's own environment holds.
    /// </summary>
    private Task<ProcessRun> RunTestScriptAsync(IEnumerable<string> options, string? apiKeyVariable = null, string shell = Shells.Current,
        Dictionary<string, string>? environment = null)
    {
        environment ??= [];
        environment["API_KEY"] = apiKeyVariable ?? "";
        return Processes.RunAsync(Shells.Path(shell), ["test.sh", "--base-url", _baseUrl!.ToString().TrimEnd('/'), .. options],
            environment, cancellationToken: Cancel);
    }

    [Theory]
    [InlineData("option", Shells.Current)]
    [InlineData("environment", Shells.Current)]
    [InlineData("option", Shells.Old)]
    public async Task Test_script_pays_with_the_api_key_and_checks_that_paying_without_it_is_refused(string source, string shell)
    {
        var run = source == "option"
            ? await RunTestScriptAsync(["--api-key", Key], shell: shell)
            : await RunTestScriptAsync([], apiKeyVariable: Key, shell: shell);

        Assert.True(run.ExitCode == 0, $"test.sh failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        var pays = _requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal([null, $"Bearer {Key}"], pays.Select(p => p.Authorization));
        Assert.All(_requests.Where(r => r.Method == "GET"), r => Assert.Null(r.Authorization));
        Assert.Contains("answers 401", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Test_script_against_a_cluster_fails_when_the_secret_holds_no_api_key_before_paying_anything(string shell)
    {
        // An earlier deployment's Secret without PayApi__ApiKey: the pay endpoint may be open to anyone.
        using var cluster = new ClusterStandIn();
        cluster.Keep("invoices", "invoice-app-secrets", "ConnectionStrings__invoicesdb", "Host=postgres");

        var run = await RunTestScriptAsync(["--cluster-checks", "--profile", "stand-in"], shell: shell, environment: cluster.Environment());

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("invoices/invoice-app-secrets holds no PayApi__ApiKey", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_requests, r => r.Method == "POST");
    }

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Test_script_without_the_key_fails_on_the_refused_payment(string shell)
    {
        var run = await RunTestScriptAsync([], shell: shell);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("/invoices/pay answered 401, expected 200", run.Error, StringComparison.Ordinal);
        Assert.All(_requests, r => Assert.Null(r.Authorization));
    }
}
