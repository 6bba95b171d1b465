using AspirateGenerator.Output;

namespace AspirateGenerator.Tests;

public sealed class GeneratorCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("aspirate-cli-");

    public void Dispose() => _work.Delete(recursive: true);

    private string ManifestPath => Path.Combine(_work.FullName, "aspire-manifest.json");

    private string OutputPath => Path.Combine(_work.FullName, "out");

    private (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = GeneratorCommand.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private void WriteManifest(string json) => File.WriteAllText(ManifestPath, json);

    private const string SmallManifest = """
        {
          "resources": {
            "web": {
              "type": "project.v0",
              "path": "../web/web.csproj",
              "env": { "Greeting": "hello" },
              "bindings": { "http": { "scheme": "http", "protocol": "tcp", "transport": "http" } }
            }
          }
        }
        """;

    [Fact]
    public void It_writes_the_layout_from_a_manifest_file_with_the_requested_image()
    {
        WriteManifest(SmallManifest);

        var (exitCode, _, error) = Run("--manifest", ManifestPath, "--output", OutputPath,
            "--image-pull-policy", "Always", "--container-registry", "registry.example", "--image-tag", "abc123");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var deployment = File.ReadAllText(Path.Combine(OutputPath, "web", "deployment.yaml"));
        Assert.Contains("image: registry.example/web:abc123\n", deployment, StringComparison.Ordinal);
        Assert.Contains("imagePullPolicy: Always\n", deployment, StringComparison.Ordinal);
        Assert.DoesNotContain("web.csproj", string.Concat(AspirateLayout.Read(OutputPath).Values), StringComparison.Ordinal);
    }

    [Fact]
    public void Regenerating_replaces_an_earlier_output_and_removes_stale_files()
    {
        WriteManifest(SmallManifest);
        Assert.Equal(0, Run("--manifest", ManifestPath, "--output", OutputPath).ExitCode);
        var stale = Path.Combine(OutputPath, "removed-resource", "deployment.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "kind: Deployment\n");

        Assert.Equal(0, Run("--manifest", ManifestPath, "--output", OutputPath).ExitCode);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(OutputPath, "web", "deployment.yaml")));
    }

    [Fact]
    public void It_refuses_to_replace_a_folder_it_did_not_write()
    {
        WriteManifest(SmallManifest);
        Directory.CreateDirectory(OutputPath);
        var precious = Path.Combine(OutputPath, "notes.txt");
        File.WriteAllText(precious, "keep me");

        var (exitCode, _, error) = Run("--manifest", ManifestPath, "--output", OutputPath);

        Assert.Equal(1, exitCode);
        Assert.Contains("Refusing to replace", error, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(precious));
    }

    [Theory]
    [InlineData(new[] { "--output", "out" }, "--manifest is required")]
    [InlineData(new[] { "--manifest", "m.json" }, "--output is required")]
    [InlineData(new[] { "--manifest", "m.json", "--output", "out", "--image-pull-policy", "Sometimes" }, "--image-pull-policy must be one of")]
    [InlineData(new[] { "--manifest", "m.json", "--output", "out", "--colour", "blue" }, "Unknown option '--colour'")]
    [InlineData(new[] { "--manifest" }, "needs a value")]
    public void Bad_arguments_exit_2_with_the_reason_and_usage(string[] args, string reason)
    {
        var (exitCode, _, error) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_manifest_exits_1_with_the_reason()
    {
        WriteManifest("""{ "resources": { "web": { "type": "project.v0", "env": { "X": "{nowhere.bindings.http.url}" } } } }""");

        var (exitCode, _, error) = Run("--manifest", ManifestPath, "--output", OutputPath);

        Assert.Equal(1, exitCode);
        Assert.Contains("no resource named 'nowhere'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(OutputPath));
    }
}
