namespace AppHost.Tests;

/// <summary>What the AppHost declares, read from its application model without starting anything.</summary>
public sealed class ModelTests
{
    private static async Task<ProjectResource[]> ProjectsAsync()
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(Cancel)
            .WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        return [.. appHost.Resources.OfType<ProjectResource>()];
    }

    [Fact]
    public async Task Only_invoice_app_has_an_external_endpoint()
    {
        var projects = await ProjectsAsync();

        var external = projects
            .Where(project => project.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.IsExternal))
            .Select(project => project.Name);
        Assert.Equal(["invoice-app"], external);
        Assert.Equal(["invoice-app", "payment-provider"], projects.Select(project => project.Name).Order());
    }

    [Fact]
    public async Task Invoice_app_references_and_waits_for_the_payment_provider()
    {
        var invoiceApp = (await ProjectsAsync()).Single(project => project.Name == "invoice-app");

        Assert.Contains(invoiceApp.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name == "payment-provider");
        Assert.Contains(invoiceApp.Annotations.OfType<ResourceRelationshipAnnotation>(),
            relationship => relationship.Resource.Name == "payment-provider" && relationship.Type == "Reference");
    }

    [Fact]
    public async Task Both_services_have_an_http_health_check_and_the_local_ports_8081_and_8082()
    {
        var projects = await ProjectsAsync();

        Assert.All(projects, project => Assert.NotEmpty(project.Annotations.OfType<HealthCheckAnnotation>()));
        var ports = projects.ToDictionary(
            project => project.Name,
            project => project.Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "http").Port);
        Assert.Equal(8081, ports["invoice-app"]);
        Assert.Equal(8082, ports["payment-provider"]);
    }

    // The dashboard shows its red "No trusted development certificate" banner when any resource may use one.
    [Fact]
    public async Task Neither_service_uses_an_https_certificate_so_the_dashboard_asks_for_none()
    {
        var projects = await ProjectsAsync();

        Assert.All(projects, project =>
        {
            Assert.DoesNotContain(project.Annotations.OfType<EndpointAnnotation>(), endpoint => endpoint.UriScheme == "https");
#pragma warning disable ASPIRECERTIFICATES001 // the annotation WithoutHttpsCertificate leaves is still experimental
            var certificate = Assert.Single(project.Annotations.OfType<HttpsCertificateAnnotation>());
            Assert.False(certificate.UseDeveloperCertificate);
            Assert.Null(certificate.Certificate);
#pragma warning restore ASPIRECERTIFICATES001
        });
    }
}
