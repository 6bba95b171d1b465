namespace Deployment.Tests;

/// <summary>The pods of the truth table: the rendered workloads' own pods and the cluster's pods around them.</summary>
public static class Endpoints
{
    private static readonly Dictionary<string, int> NoPorts = [];

    public static PodEndpoint Of(RenderedDeployment rendered, Workload workload) =>
        new(workload.Name, workload.Namespace, rendered.NamespaceLabels(workload.Namespace), workload.PodLabels,
            workload.Pod.Containers
                .SelectMany(c => c.Ports ?? [])
                .Where(p => p.Name is not null)
                .ToDictionary(p => p.Name, p => p.ContainerPort));

    public static PodEndpoint Of(RenderedDeployment rendered, string workload) => Of(rendered, rendered.Workload(workload));

    /// <summary>CoreDNS as every cluster (Minikube included) labels it.</summary>
    public static PodEndpoint KubeDns { get; } = Foreign("kube-dns", "kube-system", new() { ["k8s-app"] = "kube-dns" });

    /// <summary>The controller Minikube's ingress addon runs.</summary>
    public static PodEndpoint IngressController { get; } = Foreign("ingress-nginx controller", "ingress-nginx",
        new() { ["app.kubernetes.io/name"] = "ingress-nginx", ["app.kubernetes.io/component"] = "controller" });

    /// <summary>A pod without any app's labels, e.g. a debugging pod someone started in that namespace.</summary>
    public static PodEndpoint Unlabelled(RenderedDeployment rendered, string ns) =>
        new($"unlabelled pod in {ns}", ns, rendered.NamespaceLabels(ns), new Dictionary<string, string> { ["run"] = "probe" }, NoPorts);

    /// <summary>A pod in a namespace of its own that no policy of ours mentions.</summary>
    public static PodEndpoint Elsewhere { get; } = Foreign("pod in another namespace", "default", new() { ["run"] = "probe" });

    private static PodEndpoint Foreign(string name, string ns, Dictionary<string, string> labels) =>
        new(name, ns, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns }, labels, NoPorts);
}
