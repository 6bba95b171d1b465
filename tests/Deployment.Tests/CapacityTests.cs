using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// Everything at its autoscaler's maximum plus one surge pod per Deployment, plus Minikube's own pods, fits the
/// profile deploy.sh creates: a Pending surge pod stalls a <c>maxUnavailable: 0</c> rollout, and an autoscaler's
/// maximum that cannot be scheduled is a promise the node cannot keep.
/// </summary>
public sealed partial class CapacityTests
{
    /// <summary>
    /// Minikube v1.35.0's own pods with <c>--cni=calico</c> and the ingress and metrics-server addons, CPU in
    /// millicores and memory in MiB, as their manifests request them: kubeadm v1.32's static pods
    /// (kube-apiserver 250m, kube-controller-manager 200m, kube-scheduler 100m, etcd 100m and 100Mi) and CoreDNS
    /// (one replica on Minikube, 100m and 70Mi); Minikube's calico.yaml (calico-node 250m), ingress-nginx
    /// controller (100m, 90Mi) and metrics-server (100m, 200Mi). kube-proxy, calico-kube-controllers and
    /// storage-provisioner request nothing.
    /// </summary>
    private static readonly (string Pod, int MilliCpu, int MemoryMi)[] MinikubePods =
    [
        ("kube-apiserver", 250, 0), ("kube-controller-manager", 200, 0), ("kube-scheduler", 100, 0), ("etcd", 100, 100),
        ("coredns", 100, 70), ("calico-node", 250, 0), ("ingress-nginx-controller", 100, 90), ("metrics-server", 100, 200),
    ];

    [GeneratedRegex(@"^readonly PROFILE_CPUS=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex ProfileCpus();

    [GeneratedRegex(@"^readonly PROFILE_MEMORY_MB=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex ProfileMemory();

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Requests_at_full_scale_with_a_surge_pod_each_and_minikubes_own_pods_fit_the_profile_deploy_creates(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var script = File.ReadAllText(TestSupport.RepositoryRoot.Combine("deploy.sh"));
        var profileMilliCpu = 1000 * int.Parse(ProfileCpus().Match(script).Groups[1].Value, CultureInfo.InvariantCulture);
        // deploy.sh accepts a node with 90% of the profile's memory (the VM's kernel keeps some): that is the bound.
        var profileMemoryMi = int.Parse(ProfileMemory().Match(script).Groups[1].Value, CultureInfo.InvariantCulture) * 9 / 10;
        Assert.True(profileMilliCpu > 0 && profileMemoryMi > 0, "deploy.sh names the profile's CPUs and memory");
        Assert.Contains("--cpus \"$PROFILE_CPUS\" --memory \"$PROFILE_MEMORY_MB\"", script, StringComparison.Ordinal);

        var milliCpu = MinikubePods.Sum(p => p.MilliCpu);
        var memoryMi = MinikubePods.Sum(p => p.MemoryMi);
        var parts = new List<string> { $"minikube {milliCpu}m/{memoryMi}Mi" };
        foreach (var workload in rendered.Workloads)
        {
            var pods = workload.Kind == "Deployment"
                ? ShutdownAndConnectionsTests.MostPods(rendered, workload) is var (replicas, surge) ? replicas + surge : 0
                : workload.Replicas ?? 1;
            var requests = workload.Pod.Containers.Select(c => c.Resources.Requests).ToList();
            var podCpu = requests.Sum(r => (int)(r["cpu"].ToDecimal() * 1000));
            var podMemory = requests.Sum(r => (int)(r["memory"].ToDecimal() / (1024 * 1024)));
            milliCpu += pods * podCpu;
            memoryMi += pods * podMemory;
            parts.Add($"{workload.Name} {pods} x {podCpu}m/{podMemory}Mi");
        }
        var sums = $"{variant}: {string.Join(" + ", parts)} = {milliCpu}m CPU, {memoryMi}Mi";
        TestContext.Current.TestOutputHelper?.WriteLine(sums);

        Assert.True(milliCpu <= profileMilliCpu, $"{sums}: more CPU than the profile's {profileMilliCpu}m");
        Assert.True(memoryMi <= profileMemoryMi, $"{sums}: more memory than the profile's {profileMemoryMi}Mi");
    }
}
