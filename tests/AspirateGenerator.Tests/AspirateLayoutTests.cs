using AspirateGenerator.Manifest;
using AspirateGenerator.Mapping;
using k8s.Models;

namespace AspirateGenerator.Tests;

public sealed class AspirateLayoutTests
{
    private static SortedDictionary<string, string> Render(AspireManifest? manifest = null) =>
        GeneratorCommand.Generate(manifest ?? TestManifests.InvoicePayments(), new GeneratorOptions());

    [Fact]
    public void The_layout_has_one_folder_per_workload_with_aspirates_file_names()
    {
        Assert.Equal(
            [
                "README.md",
                "invoice-app/deployment.yaml",
                "invoice-app/kustomization.yaml",
                "invoice-app/secret-keys.txt",
                "invoice-app/secret-templates.env",
                "invoice-app/service.yaml",
                "kustomization.yaml",
                "payment-provider/deployment.yaml",
                "payment-provider/kustomization.yaml",
                "payment-provider/secret-keys.txt",
                "payment-provider/secret-templates.env",
                "payment-provider/service.yaml",
                "postgres/kustomization.yaml",
                "postgres/secret-keys.txt",
                "postgres/secret-templates.env",
                "postgres/service.yaml",
                "postgres/statefulset.yaml",
                "secret-parameters.txt",
            ],
            Render().Keys);
    }

    [Fact]
    public void The_root_kustomization_lists_each_resource_folder()
    {
        var root = Assert.IsType<KustomizationDocument>(KubernetesFiles.ParseStrictly("kustomization.yaml", Render()["kustomization.yaml"]));

        Assert.Equal(["invoice-app", "payment-provider", "postgres"], root.Resources);
        Assert.Null(root.ConfigMapGenerator);
    }

    [Fact]
    public void A_resource_kustomization_generates_the_env_config_map_without_hash_suffix()
    {
        var text = Render()["payment-provider/kustomization.yaml"];
        var kustomization = Assert.IsType<KustomizationDocument>(KubernetesFiles.ParseStrictly("payment-provider/kustomization.yaml", text));

        Assert.Equal(["deployment.yaml", "service.yaml"], kustomization.Resources);
        Assert.True(kustomization.GeneratorOptions!.DisableNameSuffixHash);
        var generator = Assert.Single(kustomization.ConfigMapGenerator!);
        Assert.Equal("payment-provider-env", generator.Name);
        Assert.Equal(
            ["ASPNETCORE_URLS=http://+:8080;", "HTTP_PORTS=8080", "PAYMENTSDB_HOST=postgres", "PAYMENTSDB_PORT=5432"],
            generator.Literals);
        Assert.Contains("# The deployment.yaml also reads Secret payment-provider-secrets", text, StringComparison.Ordinal);
        Assert.Contains("#   ConnectionStrings__paymentsdb PAYMENTSDB_PASSWORD PAYMENTSDB_URI\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_keys_and_templates_are_written_in_their_documented_form()
    {
        var files = Render();

        Assert.Equal("ConnectionStrings__paymentsdb\nPAYMENTSDB_PASSWORD\nPAYMENTSDB_URI\n", files["payment-provider/secret-keys.txt"]);
        Assert.Equal(
            "ConnectionStrings__paymentsdb=Host=postgres;Port=5432;Username=postgres;Password={postgres-password.value};Database=paymentsdb\n"
            + "PAYMENTSDB_PASSWORD={postgres-password.value}\n"
            + "PAYMENTSDB_URI=postgresql://postgres:{postgres-password.value|uri}@postgres:5432/paymentsdb\n",
            files["payment-provider/secret-templates.env"]);
        Assert.Equal("POSTGRES_PASSWORD\n", files["postgres/secret-keys.txt"]);
        Assert.Equal("postgres-password min-length=22\n", files["secret-parameters.txt"]);
    }

    [Fact]
    public void A_secret_value_in_the_manifest_is_written_nowhere()
    {
        const string password = "manifest-carried-password-0123";

        var files = Render(TestManifests.InvoicePayments(passwordDefault: password));

        Assert.All(files, file => Assert.DoesNotContain(password, file.Value, StringComparison.Ordinal));
        Assert.All(files.Where(file => file.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal)),
            file => Assert.DoesNotContain("Password=", file.Value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Output_is_the_same_whatever_the_order_of_resources_and_variables_in_the_manifest()
    {
        var manifest = TestManifests.InvoicePayments();
        var shuffled = new AspireManifest(manifest.Resources.Reverse().ToDictionary(
            entry => entry.Key,
            entry => entry.Value with { Env = entry.Value.Env?.Reverse().ToDictionary(variable => variable.Key, variable => variable.Value) }));

        Assert.Equal(Render(manifest), Render(shuffled));
        Assert.Equal(Render(manifest), Render(manifest));
    }

    [Fact]
    public void Files_use_lf_line_ends_and_end_with_a_newline()
    {
        Assert.All(Render(), file =>
        {
            Assert.DoesNotContain('\r', file.Value);
            Assert.EndsWith("\n", file.Value, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_generated_yaml_file_parses_back_strictly_into_its_model()
    {
        foreach (var (path, text) in Render().Where(file => KubernetesFiles.IsYaml(file.Key)))
        {
            var parsed = KubernetesFiles.ParseStrictly(path, text);
            if (parsed is k8s.IKubernetesObject<V1ObjectMeta> kubernetesObject)
            {
                Assert.Equal(path.Split('/')[0], kubernetesObject.Metadata.Name);
            }
        }
    }

    [Fact]
    public void Strict_parsing_rejects_a_field_the_model_does_not_know()
    {
        var deployment = Render()["payment-provider/deployment.yaml"].Replace("  replicas: 1\n", "  replicas: 1\n  replicaz: 2\n", StringComparison.Ordinal);
        var kustomization = Render()["payment-provider/kustomization.yaml"] + "secretGenerator: []\n";

        Assert.ThrowsAny<Exception>(() => KubernetesFiles.ParseStrictly("payment-provider/deployment.yaml", deployment));
        Assert.ThrowsAny<Exception>(() => KubernetesFiles.ParseStrictly("payment-provider/kustomization.yaml", kustomization));
    }
}
