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
        Assert.Equal(rendered.Objects.Count,
            rendered.Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Distinct().Count());
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
}
