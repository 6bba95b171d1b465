using AspirateGenerator.Manifest;
using AspirateGenerator.Mapping;
using AspirateGenerator.Output;

namespace AspirateGenerator;

/// <summary>
/// <c>--manifest &lt;aspire-manifest.json&gt; --output &lt;dir&gt; [--image-pull-policy IfNotPresent]
/// [--container-registry &lt;registry&gt;] [--image-tag &lt;tag&gt;]</c>.
/// </summary>
public static class GeneratorCommand
{
    public const string Usage = """
        Usage: AspirateGenerator --manifest <aspire-manifest.json> --output <dir>
                                 [--image-pull-policy IfNotPresent|Always|Never] [--container-registry <registry>] [--image-tag <tag>]
        Writes the Kubernetes base for the AppHost in the layout of 'aspirate generate --output-format kustomize'.
        """;

    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (ArgumentException exception)
        {
            error.WriteLine(exception.Message);
            error.WriteLine(Usage);
            return 2;
        }
        if (commandLine.Help)
        {
            output.WriteLine(Usage);
            return 0;
        }
        try
        {
            var manifest = AspireManifest.Load(commandLine.ManifestPath);
            var files = Generate(manifest, commandLine.Options);
            AspirateLayout.Write(commandLine.OutputDirectory, files);
            output.WriteLine($"Wrote {files.Count} files to {commandLine.OutputDirectory}");
            return 0;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {exception.Message}");
            return 1;
        }
    }

    public static SortedDictionary<string, string> Generate(AspireManifest manifest, GeneratorOptions options) =>
        AspirateLayout.Render(manifest, new ResourceMapper(manifest, options).MapAll());

    private sealed record CommandLine(string ManifestPath, string OutputDirectory, GeneratorOptions Options, bool Help)
    {
        public static CommandLine Parse(string[] args)
        {
            if (args is ["--help"] or ["-h"])
            {
                return new CommandLine("", "", new GeneratorOptions(), Help: true);
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i += 2)
            {
                if (args[i] is not ("--manifest" or "--output" or "--image-pull-policy" or "--container-registry" or "--image-tag"))
                {
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
                if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    throw new ArgumentException($"Option '{args[i]}' needs a value.");
                }
                values[args[i]] = args[i + 1];
            }
            var pullPolicy = values.GetValueOrDefault("--image-pull-policy", GeneratorOptions.DefaultImagePullPolicy);
            if (!PullPolicies.Contains(pullPolicy, StringComparer.Ordinal))
            {
                throw new ArgumentException($"--image-pull-policy must be one of {string.Join(", ", PullPolicies)}, not '{pullPolicy}'.");
            }
            return new CommandLine(
                values.GetValueOrDefault("--manifest") ?? throw new ArgumentException("--manifest is required."),
                values.GetValueOrDefault("--output") ?? throw new ArgumentException("--output is required."),
                new GeneratorOptions(
                    pullPolicy,
                    values.GetValueOrDefault("--container-registry"),
                    values.GetValueOrDefault("--image-tag", GeneratorOptions.DefaultImageTag)),
                Help: false);
        }
    }
}
