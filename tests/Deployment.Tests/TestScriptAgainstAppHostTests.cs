using Aspire.Hosting;
using Aspire.Hosting.Testing;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// test.sh against the system as <c>dotnet run --project AppHost</c> runs it (ports chosen now, each service on
/// a fresh SQLite file): it must pay every invoice and say so, and fail with a message when pointed elsewhere.
/// </summary>
[Collection(AppHostProcesses.Name)]
public sealed class TestScriptAgainstAppHostTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("deployment-tests-apphost-");
    private DistributedApplication? _app;

    public async ValueTask InitializeAsync()
    {
        Requirement.NeedExecutable("curl", "apt-get install -y curl");
        Requirement.NeedExecutable("jq", "apt-get install -y jq; test.sh reads JSON with it");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        var token = timeout.Token;

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(token).WaitAsync(token);
        builder.UseDatabasesIn(_data.FullName);
        _app = await builder.StartHealthyAsync(StartTimeout, token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
        _data.Delete(recursive: true);
    }

    private static Task<ProcessRun> RunTestScriptAsync(Uri baseUrl, string shell = Shells.Current) =>
        Processes.RunAsync(Shells.Path(shell), ["test.sh", "--base-url", baseUrl.ToString().TrimEnd('/'), "--no-cluster-checks"],
            timeout: TimeSpan.FromMinutes(2), cancellationToken: Cancel);

    [Theory, MemberData(nameof(Shells.Both), MemberType = typeof(Shells))]
    public async Task Test_script_pays_every_invoice_of_the_running_apphost_and_passes_again_when_all_are_paid(string shell)
    {
        var invoiceApp = _app!.GetEndpoint("invoice-app", "http");

        var first = await RunTestScriptAsync(invoiceApp, shell);
        var second = await RunTestScriptAsync(invoiceApp, shell);

        Assert.True(first.ExitCode == 0, $"test.sh failed ({first.ExitCode}):\n{first.Output}\n{first.Error}");
        Assert.Contains("I1 12.15 EUR paid", first.Output, StringComparison.Ordinal);
        Assert.Contains("all 3 invoices are paid", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, $"test.sh failed on paid invoices ({second.ExitCode}):\n{second.Output}\n{second.Error}");
        Assert.Contains("PASSED", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_script_fails_with_a_message_when_the_address_is_not_invoice_app()
    {
        var paymentProvider = _app!.GetEndpoint("payment-provider", "http");

        var run = await RunTestScriptAsync(paymentProvider);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("FAILED: GET", run.Error, StringComparison.Ordinal);
        Assert.Contains("/invoices answered 404", run.Error, StringComparison.Ordinal);
    }
}
