namespace Bench;

/// <summary>The Release publishes the run loads: JIT (<c>dotnet publish</c>) and native AOT, one folder each.</summary>
public sealed class Builds(string repositoryRoot, string publishRoot, string logs)
{
    public static readonly string[] Projects = ["PaymentProvider", "InvoiceApp"];

    public string Folder(string build, string project) => Path.Combine(publishRoot, build, project);

    /// <summary>The builds that could be made; an AOT build that fails here is reported and left out.</summary>
    public async Task<IReadOnlyList<string>> PublishAsync(IReadOnlyList<string> builds,
        CancellationToken cancellationToken)
    {
        var made = new List<string>();
        foreach (var build in builds)
        {
            var complete = true;
            foreach (var project in Projects)
            {
                Console.Error.WriteLine($"# dotnet publish {project} ({build})");
                if (!await PublishAsync(build, project, cancellationToken))
                {
                    complete = false;
                    break;
                }
            }
            if (complete)
            {
                made.Add(build);
            }
        }
        return made.Count > 0 ? made : throw new InvalidOperationException("nothing was built");
    }

    private async Task<bool> PublishAsync(string build, string project, CancellationToken cancellationToken)
    {
        var output = Folder(build, project);
        var marker = Path.Combine(output, ".complete");
        if (File.Exists(marker))
        {
            Console.Error.WriteLine($"# reusing {output}");
            return true;
        }
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
        string[] variant = build == "aot" ? ["-r", "linux-x64", "-p:PublishAot=true"] : ["-p:PublishAot=false"];
        var (exitCode, log) = await Tool.RunAsync("dotnet",
            ["publish", Path.Combine(repositoryRoot, project), "-c", "Release", "-o", output, "--nologo", "-v", "quiet",
                .. variant],
            cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(logs, $"publish-{build}-{project}.log"), log, cancellationToken);
        if (exitCode == 0)
        {
            await File.WriteAllTextAsync(marker, "", cancellationToken);
            return true;
        }
        if (build != "aot")
        {
            var last = string.Join('\n', log.Split('\n').TakeLast(30));
            throw new InvalidOperationException($"the JIT publish of {project} failed:\n{last}");
        }
        Console.WriteLine($"AOT: dotnet publish -r linux-x64 -p:PublishAot=true of {project} failed on this machine; "
            + "going on with JIT only. Its last lines:");
        var reported = log.Split('\n').Where(line =>
            line.Contains("error", StringComparison.Ordinal) || line.Contains("warning", StringComparison.Ordinal));
        foreach (var line in reported.Distinct().Order(StringComparer.Ordinal).Take(5))
        {
            Console.WriteLine($"  {line}");
        }
        return false;
    }

    /// <summary>The AOT build's single executable, or the JIT build's whole folder.</summary>
    public (long Bytes, string Note) SizeOf(string build, string project) => build == "aot"
        ? (new FileInfo(Path.Combine(Folder(build, project), project)).Length, "the single executable")
        : (new DirectoryInfo(Folder(build, project)).EnumerateFiles("*", SearchOption.AllDirectories)
                .Sum(file => file.Length), "the publish folder (needs the ASP.NET Core runtime)");
}
