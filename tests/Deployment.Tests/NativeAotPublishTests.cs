using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace Deployment.Tests;

/// <summary>
/// The native AOT build of each service, as deploy.sh puts it in the images, published from nothing: a fresh intermediate folder for the
/// service and every project it references (<c>--artifacts-path</c>), so no up-to-date obj/ can hide a trim or AOT
/// error, and the developer's own bin/ and obj/ stay untouched. The binary then runs as in its container and answers
/// its contract, which shows that source-generated JSON and the request delegate generator work in it, not only that
/// it links.
/// </summary>
[Collection(NativeAotPublishes.Name)]
public sealed partial class NativeAotPublishTests
{
    /// <summary>About two minutes each on an idle 2-core machine; much more while other test assemblies build.</summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private const int ShownOutputLines = 40;

    [Theory]
    [InlineData("InvoiceApp")]
    [InlineData("PaymentProvider")]
    public async Task Native_aot_publish_from_a_clean_build_has_no_trim_or_aot_warning_and_the_binary_serves_its_contract(string project)
    {
        NeedNativeToolchain();
        using var work = new TemporaryDirectory("native-aot");
        var output = Path.Combine(work.Path, "publish");

        var (arguments, run) = await PublishAsync(project, Path.Combine(work.Path, "artifacts"), output);

        var diagnostics = TrimOrAotDiagnostics(run);
        Assert.True(run.ExitCode == 0,
            $"'dotnet {string.Join(' ', arguments)}' exited with {run.ExitCode}.\nTrim/AOT diagnostics:\n{string.Join('\n', diagnostics)}\n"
            + $"Last lines:\n{LastLines(run)}");
        Assert.True(diagnostics.Count == 0,
            $"'dotnet {string.Join(' ', arguments)}' reported trim/AOT diagnostics:\n{string.Join('\n', diagnostics)}");
        var executable = Path.Combine(output, project);
        var published = string.Join(", ", Directory.GetFiles(output).Select(Path.GetFileName));
        Assert.True(File.Exists(executable), $"no single executable {project} in the publish folder: {published}");
        Assert.False(File.Exists(Path.Combine(output, $"{project}.dll")), $"{project}.dll was published: the build is not native AOT");
        // What the image carries: symbols stay in the build folder, the referenced projects' too.
        Assert.Empty(Directory.GetFiles(output, "*.pdb").Select(Path.GetFileName));

        var data = Directory.CreateDirectory(Path.Combine(work.Path, "data")).FullName;
        await using var service = await NativeService.StartAsync(executable, ContainerSettings(project, data), StartTimeout, Cancel);
        using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(10) };

        var readiness = await http.GetAsync("/readiness", Cancel);
        Assert.True(readiness.StatusCode == HttpStatusCode.OK,
            $"GET /readiness answered {(int)readiness.StatusCode}:\n{service.RecentOutput}");
        Assert.Equal("ready", await readiness.Content.ReadAsStringAsync(Cancel));
        await AnswersItsContractAsync(project, http, service);

        var exitCode = await service.StopAsync(StopTimeout, Cancel);
        Assert.True(exitCode == 0, $"{project} exited with {exitCode} on SIGTERM:\n{service.RecentOutput}");
    }

    /// <summary>
    /// deploy.sh publishes with <c>-p:PublishAot=true</c>, which switches the trim and AOT analyzers on in every project
    /// the service references, over all its code, also what the ILCompiler never reaches. Each of those projects being
    /// <c>IsAotCompatible</c> runs the same analyzers in every ordinary build (warnings as errors), so such an error
    /// shows there, in seconds, and the publish above covers the rest.
    /// </summary>
    [Theory]
    [InlineData("InvoiceApp")]
    [InlineData("PaymentProvider")]
    public async Task Every_project_a_service_builds_on_is_aot_compatible(string project)
    {
        var pending = new Queue<string>([RepositoryRoot.Combine(project, $"{project}.csproj")]);
        var evaluated = new HashSet<string>(StringComparer.Ordinal);
        var notCompatible = new List<string>();
        while (pending.TryDequeue(out var file))
        {
            if (!evaluated.Add(file))
            {
                continue;
            }
            var run = await Processes.RunAsync("dotnet", ["msbuild", file, "-getProperty:IsAotCompatible", "-getItem:ProjectReference"],
                cancellationToken: Cancel);
            Assert.True(run.ExitCode == 0, $"evaluating {file} failed:\n{run.Output}{run.Error}");
            var evaluation = JsonDocument.Parse(run.Output).RootElement;
            if (evaluation.GetProperty("Properties").GetProperty("IsAotCompatible").GetString() != "true")
            {
                notCompatible.Add(Path.GetRelativePath(RepositoryRoot.Path, file));
            }
            if (evaluation.GetProperty("Items").TryGetProperty("ProjectReference", out var references))
            {
                foreach (var reference in references.EnumerateArray())
                {
                    pending.Enqueue(reference.GetProperty("FullPath").GetString()!);
                }
            }
        }

        Assert.True(evaluated.Count > 1, $"{project} references no project: the evaluation read nothing");
        Assert.True(notCompatible.Count == 0,
            $"{project} builds on projects without <IsAotCompatible>true</IsAotCompatible>, " +
            $"whose trim/AOT errors only a native publish would show: {string.Join(", ", notCompatible)}");
    }

    /// <summary>
    /// Native AOT for linux-x64 compiles on linux-x64 only (no cross-compiling from another OS), with the C toolchain the
    /// ILCompiler looks for: clang, or gcc where there is no clang, for compiling and linking, and objcopy (llvm-objcopy
    /// beside clang) to strip the symbols into their own file.
    /// </summary>
    private static void NeedNativeToolchain()
    {
        Requirement.Need(OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64,
            "native AOT for linux-x64 compiles on linux-x64 only; elsewhere publish inside a linux SDK container (docs/performance.md)");
        var clang = Requirement.FindOnPath("clang");
        Requirement.Need(clang is not null || Requirement.FindOnPath("gcc") is not null,
            "no C toolchain: native AOT compiles and links with clang or gcc (apt-get install clang)");
        Requirement.Need(
            Requirement.FindOnPath("objcopy") is not null || (clang is not null && Requirement.FindOnPath("llvm-objcopy") is not null),
            "no objcopy: native AOT strips the executable's symbols with it (apt-get install binutils)");
    }

    /// <summary>
    /// The documented native publish (docs/performance.md), into folders of this test only. PublishAot comes from the
    /// service's own project (Service.props), not from the command line: given there (as deploy.sh does), it would
    /// reach every referenced project too and switch on their request delegate generator and analyzers, hiding a
    /// library that needs them in its own project file, which the plain command and the ILCompiler then fail on.
    /// </summary>
    private static async Task<(string[] Arguments, ProcessRun Run)> PublishAsync(string project, string artifacts, string output)
    {
        string[] arguments =
        [
            "publish", $"{project}/{project}.csproj", "-c", "Release", "-r", "linux-x64",
            // Every project's obj/ and bin/ under a new folder: nothing built before takes part.
            "--artifacts-path", artifacts, "-o", output,
            // Plain console output to search for diagnostics; MSBuild nodes that end with the build, not after the test.
            "-tl:off", "-nologo", "-nodeReuse:false",
        ];
        var run = await Processes.RunAsync("dotnet", arguments,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            PublishTimeout, Cancel);
        return (arguments, run);
    }

    /// <summary>Each distinct line that reports a trim (IL2xxx) or AOT (IL3xxx) warning, or such a warning made an error.</summary>
    private static List<string> TrimOrAotDiagnostics(ProcessRun run) =>
        [.. $"{run.Output}\n{run.Error}".Split('\n').Select(line => line.Trim()).Where(line => TrimOrAotCode().IsMatch(line)).Distinct()];

    /// <summary>The last lines of a publish's output but the trim/AOT diagnostics, which the message shows apart.</summary>
    private static string LastLines(ProcessRun run) =>
        string.Join('\n', $"{run.Output}\n{run.Error}".Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !TrimOrAotCode().IsMatch(line)).TakeLast(ShownOutputLines));

    /// <summary>
    /// What the service's container gets that matters here: its store, a SQLite file in a folder of the test, and for
    /// invoice-app the provider's address as service discovery gives it (a port where nothing listens: no call here
    /// reaches the provider).
    /// </summary>
    private static Dictionary<string, string> ContainerSettings(string project, string data) => project switch
    {
        "InvoiceApp" => new()
        {
            ["ConnectionStrings__invoicesdb"] = $"Data Source={Path.Combine(data, "invoices.db")}",
            ["services__payment-provider__http__0"] = "http://127.0.0.1:9",
        },
        "PaymentProvider" => new()
        {
            ["ConnectionStrings__paymentsdb"] = $"Data Source={Path.Combine(data, "payments.db")}",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(project), project, "not a service"),
    };

    /// <summary>One request of the service's contract that goes through its JSON contracts and its store.</summary>
    private static Task AnswersItsContractAsync(string project, HttpClient http, NativeService service) => project switch
    {
        "InvoiceApp" => ListsTheSeededInvoicesAsync(http, service),
        "PaymentProvider" => RecordsAPaymentAsync(http, service),
        _ => throw new ArgumentOutOfRangeException(nameof(project), project, "not a service"),
    };

    private static async Task ListsTheSeededInvoicesAsync(HttpClient http, NativeService service)
    {
        var response = await http.GetAsync("/invoices", Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"GET /invoices answered {(int)response.StatusCode} {body}:\n{service.RecentOutput}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        var invoices = JsonDocument.Parse(body).RootElement.EnumerateArray()
            .Select(invoice => (
                Id: invoice.GetProperty("InvoiceId").GetString(),
                Value: invoice.GetProperty("Value").GetDecimal(),
                Currency: invoice.GetProperty("Currency").GetString(),
                IsPaid: invoice.GetProperty("IsPaid").GetBoolean()))
            .OrderBy(invoice => invoice.Id, StringComparer.Ordinal)
            .ToList();
        Assert.Equal([("I1", 12.15m, "EUR", false), ("I2", 10.25m, "GBP", false), ("I3", 66.13m, "DKK", false)], invoices);
    }

    private static async Task RecordsAPaymentAsync(HttpClient http, NativeService service)
    {
        using var request = new StringContent("""{"id":"aot-1","value":12.15,"currency":"EUR"}""", Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/payments/pay", request, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"POST /payments/pay answered {(int)response.StatusCode} {body}:\n{service.RecentOutput}");
        Assert.Equal("aot-1", JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());

        // Read back from the store: the recorded amount went through the store and the JSON contract unchanged.
        var recorded = await http.GetAsync("/payments/aot-1", Cancel);
        var payment = JsonDocument.Parse(await recorded.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        Assert.Equal(12.15m, payment.GetProperty("value").GetDecimal());
        Assert.Equal("EUR", payment.GetProperty("currency").GetString());
    }

    [GeneratedRegex(@"\b(?:warning|error)\s+IL[23]\d{3}\b")]
    private static partial Regex TrimOrAotCode();
}
