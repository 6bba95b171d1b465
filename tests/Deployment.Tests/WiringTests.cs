using System.Globalization;
using k8s.Models;

namespace Deployment.Tests;

/// <summary>How the overlay connects the pieces: cross-namespace addresses, the database, the optional dashboard.</summary>
public sealed class WiringTests
{
    private static IDictionary<string, string> Environment(RenderedDeployment rendered, string ns, string name) =>
        Assert.Single(rendered.OfType<V1ConfigMap>(), c => c.Metadata.NamespaceProperty == ns && c.Metadata.Name == name).Data;

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Invoice_app_finds_payment_provider_and_both_find_the_database_by_fully_qualified_names(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var invoiceApp = Environment(rendered, "invoices", "invoice-app-env");
        var paymentProvider = Environment(rendered, "payments", "payment-provider-env");

        Assert.Equal("http://payment-provider.payments.svc.cluster.local:8080", invoiceApp["services__payment-provider__http__0"]);
        Assert.Equal("postgres.data.svc.cluster.local", invoiceApp["INVOICESDB_HOST"]);
        Assert.Equal("postgres.data.svc.cluster.local", paymentProvider["PAYMENTSDB_HOST"]);
        // A short name resolves only inside the caller's own namespace: no address may use one.
        Assert.All(invoiceApp.Concat(paymentProvider), entry =>
        {
            Assert.DoesNotMatch("(//|@)(payment-provider|postgres)(:|/|$)", entry.Value);
            if (entry.Key.EndsWith("_HOST", StringComparison.Ordinal))
            {
                Assert.EndsWith(".svc.cluster.local", entry.Value, StringComparison.Ordinal);
            }
        });
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_database_keeps_its_data_on_a_claim_and_reads_its_password_from_a_secret(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var postgres = Assert.Single(rendered.OfType<V1StatefulSet>(), s => s.Metadata.Name == "postgres");
        Assert.Equal("data", postgres.Metadata.NamespaceProperty);
        var claim = Assert.Single(postgres.Spec.VolumeClaimTemplates);
        var container = Assert.Single(postgres.Spec.Template.Spec.Containers, c => c.Name == "postgres");
        Assert.Contains(container.VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/var/lib/postgresql");
        Assert.Contains(container.EnvFrom, e => e.SecretRef?.Name == "postgres-secrets");
        Assert.DoesNotContain("POSTGRES_PASSWORD", Environment(rendered, "data", "postgres-env").Keys);
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Both_services_export_telemetry_to_the_dashboard_only_when_it_is_deployed(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var withDashboard = variant == RenderedDeployment.WithDashboard;
        foreach (var (ns, name) in new[] { ("invoices", "invoice-app-env"), ("payments", "payment-provider-env") })
        {
            var environment = Environment(rendered, ns, name);
            Assert.Equal(withDashboard, environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint));
            if (withDashboard)
            {
                Assert.Equal("http://aspire-dashboard.observability.svc.cluster.local:18889", endpoint);
            }
        }
        Assert.Equal(withDashboard,
            rendered.Objects.Any(o => o.Metadata.NamespaceProperty == "observability" || o.Metadata.Name == "observability"));
    }

    [Fact]
    public void The_dashboard_has_an_explicit_version_and_no_way_in_but_port_forward()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.WithDashboard);
        var dashboard = rendered.Workload("aspire-dashboard");
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspire-dashboard:\d+\.\d+", Assert.Single(dashboard.Pod.Containers).Image);
        Assert.Equal("ClusterIP",
            Assert.Single(rendered.OfType<V1Service>(), s => s.Metadata.NamespaceProperty == "observability").Spec.Type);
        Assert.DoesNotContain(rendered.OfType<V1Ingress>(), i => i.Metadata.NamespaceProperty == "observability");
    }

    [Fact]
    public void Payment_provider_has_no_ingress_and_no_node_port()
    {
        var rendered = RenderedDeployment.Of(RenderedDeployment.Default);
        Assert.DoesNotContain(rendered.OfType<V1Ingress>(), i => i.Metadata.NamespaceProperty == "payments"
            || i.Spec.Rules.Any(r => r.Http.Paths.Any(p => p.Backend.Service?.Name == "payment-provider")));
        var service = Assert.Single(rendered.OfType<V1Service>(), s => s.Metadata.Name == "payment-provider");
        Assert.Equal("ClusterIP", service.Spec.Type);
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_postgres_pod_runs_the_server_alone_and_a_roles_job_runs_the_committed_sql_with_passwords_from_secret_files(
        string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var postgres = rendered.Workload("postgres");
        // Every container of a pod decides its readiness: nothing but the server may.
        var server = Assert.Single(postgres.Pod.Containers);
        Assert.Equal("postgres", server.Name);
        Assert.Empty(postgres.Pod.InitContainers ?? []);

        var job = Assert.Single(rendered.OfType<V1Job>(), j => j.Metadata.NamespaceProperty == "data");
        var pod = job.Spec.Template.Spec;
        var roles = Assert.Single(pod.Containers);
        Assert.Equal(server.Image, roles.Image);
        Assert.True(job.Spec.BackoffLimit > 0, "the Job retries a failed pod");
        Assert.True(job.Spec.ActiveDeadlineSeconds > 0, "the Job gives up in the end, and deploy.sh says so");
        var arguments = (roles.Command ?? []).Concat(roles.Args ?? []).ToList();
        Assert.True(int.Parse(arguments[arguments.IndexOf("--attempts") + 1], CultureInfo.InvariantCulture) > 1,
            "the script retries with backoff");
        Assert.Contains("invoice_app:invoicesdb:INVOICE_APP_PASSWORD", arguments);
        Assert.Contains("payment_provider:paymentsdb:PAYMENT_PROVIDER_PASSWORD", arguments);
        Assert.Equal("postgres.data.svc.cluster.local", Assert.Single(roles.Env, e => e.Name == "PGHOST").Value);

        // Passwords as files of the data Secret, never as environment variables.
        Assert.DoesNotContain(roles.Env,
            e => e.ValueFrom?.SecretKeyRef is not null || e.Name.Contains("PASSWORD", StringComparison.Ordinal));
        Assert.Empty(roles.EnvFrom ?? []);
        var passwordDir = arguments[arguments.IndexOf("--password-dir") + 1];
        var secretMount = Assert.Single(roles.VolumeMounts, m => m.MountPath == passwordDir);
        var secretVolume = Assert.Single(pod.Volumes, v => v.Name == secretMount.Name).Secret;
        Assert.Equal("postgres-secrets", secretVolume.SecretName);
        Assert.Equal(["INVOICE_APP_PASSWORD", "PAYMENT_PROVIDER_PASSWORD", "POSTGRES_PASSWORD"],
            secretVolume.Items.Select(i => i.Key).Order());
        Assert.All(secretVolume.Items, i => Assert.Equal(i.Key, i.Path));

        // The script and SQL the Job runs are the committed files the Persistence tests run on a real server.
        var mount = Assert.Single(roles.VolumeMounts, m => m.Name == "postgres-roles");
        Assert.Contains($"{mount.MountPath}/apply-roles.sh", arguments);
        var mapName = Assert.Single(pod.Volumes, v => v.Name == mount.Name).ConfigMap.Name;
        var map = Assert.Single(rendered.OfType<V1ConfigMap>(), c => c.Metadata.NamespaceProperty == "data" && c.Metadata.Name == mapName);
        foreach (var file in new[] { "apply-roles.sh", "roles.sql" })
        {
            Assert.Equal(File.ReadAllText(TestSupport.RepositoryRoot.Combine("deploy", "database", file)), map.Data[file]);
        }

        // The Job reaches the server, and deploy.sh replaces it and waits for it on every deploy.
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());
        Assert.True(network.Allows(
            Endpoints.Of(rendered, rendered.Workload(job.Metadata.Name)), Endpoints.Of(rendered, postgres), 5432, "TCP"));
        AssertDeployScriptHas($"delete job {job.Metadata.Name} -n data", $"get job {job.Metadata.Name} -n data");
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void The_ingress_serves_its_host_only_over_tls_with_the_certificate_deploy_makes(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var ingress = Assert.Single(rendered.OfType<V1Ingress>());
        var rule = Assert.Single(ingress.Spec.Rules);
        var tls = Assert.Single(ingress.Spec.Tls);

        Assert.False(string.IsNullOrEmpty(rule.Host), "the rule names the host its certificate is made for");
        Assert.Equal([rule.Host], tls.Hosts);
        Assert.Equal("invoice-app-tls", tls.SecretName);
        Assert.Equal("true", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"]);
        AssertDeployScriptHas(
            $"readonly INGRESS_HOST=\"{rule.Host}\"", $"secret_manifest tls -n {ingress.Metadata.NamespaceProperty} {tls.SecretName} ");
    }

    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Invoice_app_reads_its_api_key_from_its_secret_and_from_nowhere_else(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var invoiceApp = rendered.Workload("invoice-app");
        var container = Assert.Single(invoiceApp.Pod.Containers, c => c.Name == "invoice-app");

        Assert.Contains(container.EnvFrom, e => e.SecretRef?.Name == "invoice-app-secrets");
        Assert.DoesNotContain(container.Env ?? [], e => e.Name == "PayApi__ApiKey" && e.ValueFrom?.SecretKeyRef is null);
        Assert.All(rendered.OfType<V1ConfigMap>(),
            map => Assert.False(map.Data?.ContainsKey("PayApi__ApiKey") ?? false, $"ConfigMap {map.Metadata.Name} holds the API key"));
        AssertDeployScriptHas("printf 'PayApi__ApiKey=%s\\n' \"$api_key\"");
    }

    /// <summary>deploy.sh does its part of what the manifests expect: each fragment stands in it as written.</summary>
    private static void AssertDeployScriptHas(params string[] fragments)
    {
        var script = File.ReadAllText(TestSupport.RepositoryRoot.Combine("deploy.sh"));
        Assert.All(fragments, fragment => Assert.Contains(fragment, script, StringComparison.Ordinal));
    }
}
