using k8s;
using k8s.Models;
using TestSupport;

namespace Deployment.Tests;

/// <summary>The overlays render with kubectl kustomize, and every object is a well-formed Kubernetes object.</summary>
public sealed class RenderingTests
{
    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_rendered_document_deserialises_strictly_into_a_kubernetes_model(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var documents = rendered.Yaml.Split("\n---\n").Count(d => !string.IsNullOrWhiteSpace(d));

        Assert.Equal(documents, rendered.Objects.Count);
        Assert.All(rendered.Objects, o =>
        {
            Assert.Equal("k8s.Models", o.GetType().Namespace);
            Assert.False(string.IsNullOrEmpty(o.Metadata?.Name), $"{o.Kind} without a name");
        });
        Assert.Equal(rendered.Objects.Count, rendered.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Distinct().Count());
    }

    [Fact]
    public void Strict_deserialisation_rejects_a_field_the_models_do_not_know()
    {
        // The guarantee the test above leans on: a misspelt or misplaced field fails instead of vanishing.
        var rendered = RenderedDeployment.Of(RenderedDeployment.Default);
        var misspelt = rendered.Yaml.Replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", StringComparison.Ordinal);
        Assert.NotEqual(rendered.Yaml, misspelt);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, strict: true));
    }

    [Fact]
    public void Deploy_creates_every_secret_key_the_base_reads_and_no_configmap_repeats_one()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.Default);
        var script = File.ReadAllText(RepositoryRoot.Combine("deploy.sh"));
        foreach (var (resource, ns) in new[] { ("invoice-app", "invoices"), ("payment-provider", "payments"), ("postgres", "data") })
        {
            // The base lists, per resource, the keys of the Secret it references but never generates.
            var keys = File.ReadAllText(RepositoryRoot.Combine("aspirate-output", resource, "secret-keys.txt"))
                .Split((char[])['\n', ' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)
                .Where(line => !line.StartsWith('#'))
                .ToList();
            Assert.NotEmpty(keys);
            var configMap = Assert.Single(rendered.OfType<V1ConfigMap>(), c => c.Metadata.NamespaceProperty == ns && c.Metadata.Name == $"{resource}-env");
            Assert.All(keys, key =>
            {
                Assert.Contains($"{key}=", script, StringComparison.Ordinal);
                Assert.False(configMap.Data.ContainsKey(key), $"{key} is both in {resource}'s Secret and its ConfigMap");
            });
        }
    }
}
