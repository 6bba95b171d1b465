using AspirateGenerator.Manifest;
using AspirateGenerator.Mapping;
using k8s.Models;

namespace AspirateGenerator.Tests;

public sealed class ResourceMapperTests
{
    private static IReadOnlyList<ResourceManifests> MapInvoicePayments(GeneratorOptions? options = null) =>
        new ResourceMapper(TestManifests.InvoicePayments(), options ?? new GeneratorOptions()).MapAll();

    private static ResourceManifests Resource(string name, GeneratorOptions? options = null) =>
        MapInvoicePayments(options).Single(resource => resource.Name == name);

    private static Dictionary<string, string> Environment(ResourceManifests resource) =>
        resource.Environment.ToDictionary(entry => entry.Key, entry => entry.Value);

    [Fact]
    public void Only_projects_and_containers_become_workloads_in_name_order()
    {
        Assert.Equal(["invoice-app", "payment-provider", "postgres"], MapInvoicePayments().Select(resource => resource.Name));
    }

    [Fact]
    public void A_project_becomes_a_deployment_with_aspirate_defaults()
    {
        var deployment = Assert.IsType<V1Deployment>(Resource("payment-provider").Workload);

        Assert.Equal(("apps/v1", "Deployment", "payment-provider"), (deployment.ApiVersion, deployment.Kind, deployment.Metadata.Name));
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.Equal(60, deployment.Spec.MinReadySeconds);
        Assert.Equal(180, deployment.Spec.Template.Spec.TerminationGracePeriodSeconds);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("payment-provider", container.Name);
        Assert.Equal("payment-provider:latest", container.Image);
        Assert.Equal("IfNotPresent", container.ImagePullPolicy);
        Assert.Null(container.LivenessProbe);
        Assert.Null(container.ReadinessProbe);
        Assert.Null(container.Resources);
        Assert.Null(container.SecurityContext);
        Assert.Null(deployment.Spec.Template.Spec.SecurityContext);
    }

    [Fact]
    public void Labels_and_selectors_are_app_name_only_and_match()
    {
        foreach (var resource in MapInvoicePayments())
        {
            var expected = new Dictionary<string, string> { ["app"] = resource.Name };
            var (selector, template) = resource.Workload switch
            {
                V1Deployment deployment => (deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels),
                V1StatefulSet statefulSet => (statefulSet.Spec.Selector.MatchLabels, statefulSet.Spec.Template.Metadata.Labels),
                _ => throw new InvalidOperationException($"unexpected workload {resource.Workload.Kind}"),
            };
            Assert.Equal(expected, resource.Workload.Metadata.Labels);
            Assert.Equal(expected, selector);
            Assert.Equal(expected, template);
            Assert.Equal(expected, resource.Service!.Spec.Selector);
            Assert.Equal(expected, resource.Service.Metadata.Labels);
            Assert.Equal(resource.Name, resource.Service.Metadata.Name);
            Assert.Equal("ClusterIP", resource.Service.Spec.Type);
        }
    }

    [Fact]
    public void A_project_serves_http_on_8080_and_its_https_binding_is_dropped()
    {
        var resource = Resource("invoice-app");
        var container = Assert.IsType<V1Deployment>(resource.Workload).Spec.Template.Spec.Containers[0];

        var containerPort = Assert.Single(container.Ports);
        Assert.Equal(("http", 8080), (containerPort.Name, containerPort.ContainerPort));
        var servicePort = Assert.Single(resource.Service!.Spec.Ports);
        Assert.Equal(("http", 8080, "8080"), (servicePort.Name, servicePort.Port, servicePort.TargetPort.Value));
    }

    [Fact]
    public void Service_discovery_resolves_to_the_service_and_https_urls_are_left_out()
    {
        var environment = Environment(Resource("invoice-app"));

        Assert.Equal("http://payment-provider:8080", environment["services__payment-provider__http__0"]);
        Assert.Equal("8080", environment["HTTP_PORTS"]);
        Assert.DoesNotContain("services__payment-provider__https__0", environment.Keys);
        Assert.DoesNotContain(environment.Values, value => value.Contains("https", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Projects_get_aspnetcore_urls_as_aspirate_adds_it_and_containers_do_not()
    {
        Assert.Equal("http://+:8080;", Environment(Resource("payment-provider"))["ASPNETCORE_URLS"]);
        Assert.DoesNotContain("ASPNETCORE_URLS", Environment(Resource("postgres")).Keys);
    }

    [Fact]
    public void Values_derived_from_the_secret_parameter_go_to_the_secret_and_never_to_the_config_map()
    {
        var resource = Resource("payment-provider");
        var environment = Environment(resource);

        Assert.Equal(["ConnectionStrings__paymentsdb", "PAYMENTSDB_PASSWORD", "PAYMENTSDB_URI"], resource.SecretKeys);
        Assert.Equal(["ASPNETCORE_URLS", "HTTP_PORTS", "PAYMENTSDB_HOST", "PAYMENTSDB_PORT"], environment.Keys);
        Assert.Equal("postgres", environment["PAYMENTSDB_HOST"]);
        Assert.Equal("5432", environment["PAYMENTSDB_PORT"]);
        Assert.Equal("payment-provider-secrets", resource.SecretName);
        var container = Assert.IsType<V1Deployment>(resource.Workload).Spec.Template.Spec.Containers[0];
        Assert.Equal(
            [("payment-provider-env", null), (null, "payment-provider-secrets")],
            container.EnvFrom.Select(source => (source.ConfigMapRef?.Name, source.SecretRef?.Name)));
        Assert.Null(container.Env);
    }

    [Fact]
    public void A_resource_without_secrets_references_no_secret()
    {
        var manifest = new AspireManifest(new Dictionary<string, ManifestResource>
        {
            ["web"] = TestManifests.Project(new Dictionary<string, string> { ["Greeting"] = "hello" }),
        });

        var resource = Assert.Single(new ResourceMapper(manifest, new GeneratorOptions()).MapAll());

        Assert.Empty(resource.SecretTemplates);
        var container = Assert.IsType<V1Deployment>(resource.Workload).Spec.Template.Spec.Containers[0];
        var source = Assert.Single(container.EnvFrom);
        Assert.Equal("web-env", source.ConfigMapRef.Name);
    }

    [Fact]
    public void A_container_with_a_volume_becomes_a_statefulset_with_a_claim_template()
    {
        var resource = Resource("postgres");
        var statefulSet = Assert.IsType<V1StatefulSet>(resource.Workload);

        Assert.Equal("statefulset.yaml", resource.WorkloadFileName);
        Assert.Equal("postgres", statefulSet.Spec.ServiceName);
        Assert.Equal(1, statefulSet.Spec.Replicas);
        var container = Assert.Single(statefulSet.Spec.Template.Spec.Containers);
        Assert.Equal("docker.io/library/postgres:18.3", container.Image);
        var port = Assert.Single(container.Ports);
        Assert.Equal(("tcp", 5432), (port.Name, port.ContainerPort));
        var mount = Assert.Single(container.VolumeMounts);
        Assert.Equal(("postgres-data", "/var/lib/postgresql"), (mount.Name, mount.MountPath));
        var claim = Assert.Single(statefulSet.Spec.VolumeClaimTemplates);
        Assert.Equal("postgres-data", claim.Metadata.Name);
        Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes);
        Assert.Equal(new ResourceQuantity("1Gi"), claim.Spec.Resources.Requests["storage"]);
        Assert.Equal(["POSTGRES_PASSWORD"], resource.SecretKeys);
        var servicePort = Assert.Single(resource.Service!.Spec.Ports);
        Assert.Equal(("tcp", 5432, "5432"), (servicePort.Name, servicePort.Port, servicePort.TargetPort.Value));
    }

    [Fact]
    public void The_command_line_options_set_pull_policy_registry_and_tag_of_project_images_only()
    {
        var options = new GeneratorOptions("Never", "registry.example:5000/", "1.2.3");

        var project = Assert.IsType<V1Deployment>(Resource("invoice-app", options).Workload).Spec.Template.Spec.Containers[0];
        var postgres = Assert.IsType<V1StatefulSet>(Resource("postgres", options).Workload).Spec.Template.Spec.Containers[0];

        Assert.Equal(("registry.example:5000/invoice-app:1.2.3", "Never"), (project.Image, project.ImagePullPolicy));
        Assert.Equal(("docker.io/library/postgres:18.3", "Never"), (postgres.Image, postgres.ImagePullPolicy));
    }

    [Fact]
    public void An_unsupported_resource_type_fails_naming_the_resource()
    {
        var manifest = TestManifests.InvoicePayments().With("functions", new ManifestResource("azure.bicep.v0"));

        var exception = Assert.Throws<InvalidDataException>(() => new ResourceMapper(manifest, new GeneratorOptions()).MapAll());

        Assert.Contains("'functions'", exception.Message, StringComparison.Ordinal);
    }
}
