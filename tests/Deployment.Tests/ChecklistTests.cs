using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// One test per row of the deployment checklist (merged from kube-score, kube-linter, Polaris and the Pod
/// Security Standards "restricted" profile), over what <c>kubectl kustomize</c> renders from each overlay.
/// A row a workload deliberately does not meet passes only with the annotation that says why.
/// </summary>
public sealed class ChecklistTests
{
    private static IEnumerable<(Workload Workload, V1Container Container)> Containers(RenderedDeployment rendered) =>
        rendered.Workloads.SelectMany(w => (w.Pod.InitContainers ?? []).Concat(w.Pod.Containers).Select(c => (w, c)));

    private static T? Effective<T>(
        V1Container container, V1PodSpec pod, Func<V1SecurityContext, T?> fromContainer, Func<V1PodSecurityContext, T?> fromPod) =>
        (container.SecurityContext is { } own ? fromContainer(own) : default) is { } value
            ? value
            : pod.SecurityContext is { } shared ? fromPod(shared) : default;

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_overlay_renders_workloads_in_the_expected_namespaces(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var expected = new List<string>
        {
            "data/postgres", "data/postgres-roles", "invoices/invoice-app", "payments/payment-provider", "monitoring/prometheus",
        };
        if (variant == RenderedDeployment.WithDashboard)
        {
            expected.Add("observability/aspire-dashboard");
        }
        Assert.Equal(expected.Order(), rendered.Workloads.Select(w => $"{w.Namespace}/{w.Name}").Order());
        Assert.All(rendered.Objects.Where(o => o is not V1Namespace),
            o => Assert.False(string.IsNullOrEmpty(o.Metadata.NamespaceProperty), $"{o.Kind} {o.Metadata.Name} has no namespace"));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_run_as_non_root_with_uid_and_gid_of_at_least_10000(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            Assert.True(Effective(container, workload.Pod, c => c.RunAsNonRoot, p => p.RunAsNonRoot) == true,
                $"{workload} {container.Name}: runAsNonRoot");
            Assert.True(Effective(container, workload.Pod, c => c.RunAsUser, p => p.RunAsUser) >= 10000,
                $"{workload} {container.Name}: runAsUser >= 10000");
            Assert.True(Effective(container, workload.Pod, c => c.RunAsGroup, p => p.RunAsGroup) >= 10000,
                $"{workload} {container.Name}: runAsGroup >= 10000");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_have_a_read_only_root_filesystem_and_a_writable_tmp(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem == true,
                $"{workload} {container.Name}: readOnlyRootFilesystem on the container");
            var tmp = container.VolumeMounts?.SingleOrDefault(m => m.MountPath == "/tmp");
            Assert.True(tmp is not null, $"{workload} {container.Name}: a volume at /tmp");
            Assert.True(tmp.ReadOnlyProperty != true, $"{workload} {container.Name}: /tmp writable");
            var volume = workload.Pod.Volumes?.SingleOrDefault(v => v.Name == tmp.Name);
            Assert.True(volume?.EmptyDir is not null, $"{workload}: /tmp is an emptyDir");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_cannot_escalate_and_drop_every_capability(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            var context = container.SecurityContext;
            Assert.True(context?.AllowPrivilegeEscalation == false, $"{workload} {container.Name}: allowPrivilegeEscalation false");
            Assert.True(context?.Capabilities?.Drop?.Contains("ALL") == true, $"{workload} {container.Name}: capabilities drop ALL");
            Assert.True(context?.Capabilities?.Add is null or { Count: 0 }, $"{workload} {container.Name}: no capability added");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_use_the_runtime_default_seccomp_profile(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            Assert.Equal("RuntimeDefault", Effective(container, workload.Pod, c => c.SeccompProfile?.Type, p => p.SeccompProfile?.Type));
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Nothing_is_privileged_or_shares_the_host(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.All(rendered.Workloads, workload =>
        {
            Assert.True(workload.Pod.HostNetwork != true && workload.Pod.HostPID != true && workload.Pod.HostIPC != true,
                $"{workload}: host namespaces");
            Assert.True(workload.Pod.Volumes?.All(v => v.HostPath is null) ?? true, $"{workload}: hostPath volume");
        });
        Assert.All(Containers(rendered), item =>
        {
            var (workload, container) = item;
            Assert.True(container.SecurityContext?.Privileged != true, $"{workload} {container.Name}: privileged");
            Assert.True(container.Ports?.All(p => p.HostPort is null or 0) ?? true, $"{workload} {container.Name}: hostPort");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_request_and_limit_cpu_memory_and_ephemeral_storage(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            foreach (var resource in new[] { "cpu", "memory", "ephemeral-storage" })
            {
                Assert.True(container.Resources?.Requests?.ContainsKey(resource) == true,
                    $"{workload} {container.Name}: {resource} request");
                Assert.True(container.Resources?.Limits?.ContainsKey(resource) == true, $"{workload} {container.Name}: {resource} limit");
            }
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Containers_have_startup_readiness_and_liveness_probes_on_different_endpoints(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            if (workload.Kind == "Job")
            {
                Assert.True(workload.Exemption("probe-endpoints") is not null, $"{workload}: a Job without probes says why");
                return;
            }
            Assert.True(container.StartupProbe is not null, $"{workload} {container.Name}: startup probe");
            Assert.True(container.ReadinessProbe is not null && container.LivenessProbe is not null,
                $"{workload} {container.Name}: readiness and liveness probes");
            if (workload.Exemption("probe-endpoints") is null)
            {
                Assert.Equal("/health", container.ReadinessProbe.HttpGet?.Path);
                Assert.Equal("/alive", container.LivenessProbe.HttpGet?.Path);
            }
            else
            {
                Assert.NotEqual(Describe(container.ReadinessProbe), Describe(container.LivenessProbe));
            }
        });

        static string Describe(V1Probe probe) =>
            $"{probe.HttpGet?.Path}:{probe.HttpGet?.Port}|{probe.TcpSocket?.Port}|{string.Join(' ', probe.Exec?.Command ?? [])}";
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Images_have_an_explicit_tag_that_is_not_latest_and_are_pulled_only_if_missing(string variant)
    {
        Assert.All(Containers(RenderedDeployment.Of(variant)), item =>
        {
            var (workload, container) = item;
            var lastSegment = container.Image[(container.Image.LastIndexOf('/') + 1)..];
            var tag = lastSegment.Contains('@', StringComparison.Ordinal) ? "digest" : lastSegment.Split(':').ElementAtOrDefault(1);
            Assert.True(!string.IsNullOrEmpty(tag) && tag != "latest",
                $"{workload} {container.Name}: image {container.Image} needs an explicit tag");
            Assert.Equal("IfNotPresent", container.ImagePullPolicy);
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Replicas_come_from_an_autoscaler_with_at_least_two_or_are_explained(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var autoscalers = rendered.OfType<V2HorizontalPodAutoscaler>().ToList();
        Assert.All(rendered.Workloads, workload =>
        {
            var autoscaler = autoscalers.SingleOrDefault(h =>
                h.Metadata.NamespaceProperty == workload.Namespace
                && h.Spec.ScaleTargetRef.Kind == workload.Kind
                && h.Spec.ScaleTargetRef.Name == workload.Name);
            if (autoscaler is not null)
            {
                Assert.True(workload.Replicas is null, $"{workload}: static replicas fight the autoscaler");
                Assert.True(autoscaler.Spec.MinReplicas >= 2, $"{workload}: minReplicas >= 2");
                Assert.True(autoscaler.Spec.MaxReplicas > autoscaler.Spec.MinReplicas, $"{workload}: maxReplicas > minReplicas");
            }
            else if (workload.Replicas is not >= 2)
            {
                Assert.True(workload.Exemption("replicas") is not null,
                    $"{workload}: fewer than 2 replicas and no autoscaler, without a reason");
                Assert.True(workload.Exemption("autoscaling") is not null, $"{workload}: no autoscaler, without a reason");
            }
        });
        Assert.All(autoscalers, h => Assert.Contains(rendered.Workloads,
            w => w.Namespace == h.Metadata.NamespaceProperty
                && w.Kind == h.Spec.ScaleTargetRef.Kind
                && w.Name == h.Spec.ScaleTargetRef.Name));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Updates_roll_without_taking_a_pod_away_first(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.All(rendered.OfType<V1Deployment>(), deployment =>
        {
            if (rendered.Workload(deployment.Metadata.Name).Exemption("rolling-update") is null)
            {
                Assert.Equal("RollingUpdate", deployment.Spec.Strategy?.Type);
                Assert.Equal("0", deployment.Spec.Strategy?.RollingUpdate?.MaxUnavailable?.Value);
            }
        });
        Assert.All(rendered.OfType<V1StatefulSet>(), statefulSet =>
        {
            Assert.Equal("RollingUpdate", statefulSet.Spec.UpdateStrategy?.Type ?? "RollingUpdate");
            var workload = rendered.Workload(statefulSet.Metadata.Name);
            Assert.True(
                statefulSet.Spec.UpdateStrategy?.RollingUpdate?.MaxUnavailable?.Value == "0"
                || workload.Exemption("rolling-update") is not null,
                $"{workload}: maxUnavailable 0 or a reason");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Replicas_prefer_different_nodes_without_requiring_them(string variant)
    {
        Assert.All(RenderedDeployment.Of(variant).Workloads, workload =>
        {
            var antiAffinity = workload.Pod.Affinity?.PodAntiAffinity;
            Assert.True(antiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is null or { Count: 0 },
                $"{workload}: required anti-affinity leaves pods pending on one node");
            Assert.True(workload.Pod.TopologySpreadConstraints?.All(t => t.WhenUnsatisfiable == "ScheduleAnyway") ?? true,
                $"{workload}: topology spread must not block scheduling");
            var spreads = (antiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
                .Any(term => term.PodAffinityTerm.TopologyKey == "kubernetes.io/hostname"
                    && term.PodAffinityTerm.LabelSelector.Matches(workload.PodLabels))
                || (workload.Pod.TopologySpreadConstraints ?? [])
                    .Any(t => t.TopologyKey == "kubernetes.io/hostname" && t.LabelSelector.Matches(workload.PodLabels));
            Assert.True(spreads || workload.Exemption("anti-affinity") is not null,
                $"{workload}: preferred anti-affinity on kubernetes.io/hostname selecting its own pods, or a reason");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_workload_has_a_disruption_budget_that_lets_eviction_proceed(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var budgets = rendered.OfType<V1PodDisruptionBudget>().ToList();
        var autoscalers = rendered.OfType<V2HorizontalPodAutoscaler>().ToList();
        Assert.All(rendered.Workloads.Where(w => w.Exemption("disruption-budget") is null), workload =>
        {
            var budget = Assert.Single(budgets,
                b => b.Metadata.NamespaceProperty == workload.Namespace && b.Spec.Selector.Matches(workload.PodLabels));
            Assert.Equal("AlwaysAllow", budget.Spec.UnhealthyPodEvictionPolicy);
            var replicas = autoscalers
                    .SingleOrDefault(h => h.Metadata.NamespaceProperty == workload.Namespace && h.Spec.ScaleTargetRef.Name == workload.Name)
                    ?.Spec.MinReplicas
                ?? workload.Replicas ?? 1;
            var evictable = budget.Spec.MaxUnavailable is { } maxUnavailable
                ? !IsZero(maxUnavailable.Value)
                : budget.Spec.MinAvailable is { } minAvailable && int.TryParse(minAvailable.Value, out var min) && min < replicas;
            Assert.True(evictable, $"{workload}: the budget blocks every eviction");
        });

        static bool IsZero(string value) => value is "0" or "0%";
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_namespace_denies_by_default_and_every_pod_has_its_own_ingress_and_egress_policy(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var policies = rendered.OfType<V1NetworkPolicy>().ToList();
        Assert.All(rendered.Workloads.Select(w => w.Namespace).Distinct(), ns =>
            Assert.Contains(policies, p => p.Metadata.NamespaceProperty == ns
                && p.Spec.PodSelector.MatchLabels is null or { Count: 0 } && p.Spec.PodSelector.MatchExpressions is null or { Count: 0 }
                && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.PolicyTypes.Contains("Egress")
                && p.Spec.Ingress is null or { Count: 0 } && p.Spec.Egress is null or { Count: 0 }));
        Assert.All(rendered.Workloads, workload =>
            Assert.Contains(policies, p => p.Metadata.NamespaceProperty == workload.Namespace
                && p.Spec.PodSelector.MatchLabels is { Count: > 0 } && p.Spec.PodSelector.Matches(workload.PodLabels)
                && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.PolicyTypes.Contains("Egress")));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_pod_may_resolve_names_over_udp_and_tcp(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());
        Assert.All(rendered.Workloads, workload =>
        {
            var pod = Endpoints.Of(rendered, workload);
            Assert.True(network.Allows(pod, Endpoints.KubeDns, 53, "UDP"), $"{workload}: DNS over UDP");
            Assert.True(network.Allows(pod, Endpoints.KubeDns, 53, "TCP"), $"{workload}: DNS over TCP");
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Services_are_cluster_internal_and_select_pods_on_ports_they_expose(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.All(rendered.OfType<V1Service>(), service =>
        {
            Assert.Equal("ClusterIP", service.Spec.Type ?? "ClusterIP");
            Assert.All(service.Spec.Ports, p => Assert.True(p.NodePort is null, $"{service.Metadata.Name}: nodePort"));
            var workload = Assert.Single(rendered.Workloads, w => w.Namespace == service.Metadata.NamespaceProperty
                && service.Spec.Selector is { Count: > 0 }
                && service.Spec.Selector.All(s => w.PodLabels.TryGetValue(s.Key, out var v) && v == s.Value));
            var containerPorts = workload.Pod.Containers.SelectMany(c => c.Ports ?? []).ToList();
            Assert.All(service.Spec.Ports, p => Assert.Contains(containerPorts,
                c => c.Name == (p.TargetPort?.Value ?? p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    || c.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        == (p.TargetPort?.Value ?? p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Only_invoice_app_has_an_ingress_with_a_class_and_an_existing_backend(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var ingress = Assert.Single(rendered.OfType<V1Ingress>());
        Assert.Equal("invoices", ingress.Metadata.NamespaceProperty);
        Assert.Equal("nginx", ingress.Spec.IngressClassName);
        var path = Assert.Single(Assert.Single(ingress.Spec.Rules).Http.Paths);
        Assert.Equal("/invoices", path.Path);
        var service = Assert.Single(rendered.OfType<V1Service>(),
            s => s.Metadata.NamespaceProperty == "invoices" && s.Metadata.Name == path.Backend.Service.Name);
        Assert.Equal("invoice-app", service.Metadata.Name);
        Assert.Contains(service.Spec.Ports, p => p.Name == path.Backend.Service.Port.Name || p.Port == path.Backend.Service.Port.Number);
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_app_has_its_own_service_account_without_a_token(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var accounts = rendered.OfType<V1ServiceAccount>().ToList();
        Assert.All(rendered.Workloads, workload =>
        {
            var name = workload.Pod.ServiceAccountName;
            Assert.False(string.IsNullOrEmpty(name) || name == "default", $"{workload}: a dedicated service account");
            var account = Assert.Single(accounts, a => a.Metadata.NamespaceProperty == workload.Namespace && a.Metadata.Name == name);
            Assert.False(account.AutomountServiceAccountToken ?? true, $"{workload}: the account mounts a token");
            Assert.False(workload.Pod.AutomountServiceAccountToken ?? true, $"{workload}: the pod mounts a token");
            Assert.Single(rendered.Workloads, w => w.Namespace == workload.Namespace && w.Pod.ServiceAccountName == name);
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Selectors_match_their_templates_and_every_object_carries_the_recommended_labels(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.All(rendered.Workloads, w => Assert.True(w.Selector.Matches(w.PodLabels), $"{w}: selector does not match its template"));
        Assert.All(rendered.Objects, o =>
        {
            foreach (var label in new[] { "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/part-of" })
            {
                Assert.True(o.Metadata.Labels?.TryGetValue(label, out var value) == true && !string.IsNullOrEmpty(value),
                    $"{o.Kind} {o.Metadata.Name}: label {label}");
            }
        });
        Assert.All(rendered.Workloads, w => Assert.True(w.PodLabels.ContainsKey("app.kubernetes.io/name"), $"{w}: pod template labels"));
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Environment_has_no_duplicates_and_no_secret_values_in_plain_sight(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var configMaps = rendered.OfType<V1ConfigMap>().ToList();
        Assert.All(Containers(rendered), item =>
        {
            var (workload, container) = item;
            var names = (container.Env ?? []).Select(e => e.Name).ToList();
            foreach (var reference in container.EnvFrom ?? [])
            {
                if (reference.ConfigMapRef is { } map)
                {
                    var data = Assert.Single(configMaps,
                        c => c.Metadata.NamespaceProperty == workload.Namespace && c.Metadata.Name == map.Name).Data;
                    names.AddRange(data?.Keys ?? []);
                }
            }
            var duplicates = string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key));
            Assert.True(names.Count == names.Distinct(StringComparer.Ordinal).Count(),
                $"{workload} {container.Name}: duplicate variables {duplicates}");
            Assert.All(container.Env ?? [],
                e => Assert.False(LooksSecret(e.Name, e.Value), $"{workload} {container.Name}: {e.Name} in plain env"));
        });
        Assert.All(configMaps, map => Assert.All(map.Data ?? new Dictionary<string, string>(),
            entry => Assert.False(LooksSecret(entry.Key, entry.Value), $"ConfigMap {map.Metadata.Name}: {entry.Key} looks secret")));
        Assert.Empty(rendered.OfType<V1Secret>());
    }

    private static bool LooksSecret(string name, string? value) => ContainerEnvironment.LooksSecret(name, value);

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Rbac_is_namespaced_named_and_never_reaches_secrets_exec_or_attach(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        Assert.Empty(rendered.OfType<V1ClusterRole>());
        Assert.Empty(rendered.OfType<V1ClusterRoleBinding>());
        Assert.All(rendered.OfType<V1RoleBinding>(), binding =>
        {
            Assert.Equal("Role", binding.RoleRef.Kind);
            Assert.NotEqual("cluster-admin", binding.RoleRef.Name);
            Assert.Contains(rendered.OfType<V1Role>(),
                r => r.Metadata.NamespaceProperty == binding.Metadata.NamespaceProperty && r.Metadata.Name == binding.RoleRef.Name);
        });
        Assert.All(rendered.OfType<V1Role>().SelectMany(r => r.Rules.Select(rule => (r.Metadata.Name, rule))), item =>
        {
            var (role, rule) = item;
            Assert.DoesNotContain("*", rule.ApiGroups ?? []);
            Assert.DoesNotContain("*", rule.Resources ?? []);
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.True(rule.NonResourceURLs is null or { Count: 0 }, $"{role}: non-resource URLs are cluster-scoped");
            foreach (var forbidden in new[] { "secrets", "pods/exec", "pods/attach", "pods/portforward", "roles", "rolebindings" })
            {
                Assert.DoesNotContain(forbidden, rule.Resources ?? []);
            }
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_namespace_enforces_warns_and_audits_the_restricted_pod_security_profile(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var used = rendered.Objects.Select(o => o.Metadata.NamespaceProperty).Where(n => n is not null).Distinct().ToList();
        var declared = rendered.OfType<V1Namespace>().ToList();
        Assert.Equal(used.Order(), declared.Select(n => n.Metadata.Name).Order());
        Assert.All(declared, ns =>
        {
            foreach (var mode in new[] { "enforce", "warn", "audit" })
            {
                Assert.True(
                    ns.Metadata.Labels?.TryGetValue($"pod-security.kubernetes.io/{mode}", out var level) == true && level == "restricted",
                    $"namespace {ns.Metadata.Name}: pod-security {mode} restricted");
            }
        });
    }
}
