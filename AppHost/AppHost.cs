// Both services serve plain http; saying so (WithoutHttpsCertificate, still experimental) keeps the dashboard from
// warning about a missing trusted development certificate that nothing here uses.
#pragma warning disable ASPIRECERTIFICATES001

var builder = DistributedApplication.CreateBuilder(args);

var paymentProvider = builder.AddProject<Projects.PaymentProvider>("payment-provider")
    .WithoutHttpsCertificate()
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", ApiPage);

var invoiceApp = builder.AddProject<Projects.InvoiceApp>("invoice-app")
    .WithoutHttpsCertificate()
    .WithReference(paymentProvider)
    .WaitFor(paymentProvider)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", ApiPage)
    .WithExternalHttpEndpoints();

// In the cluster each service keeps its state in its own database of one PostgreSQL server;
// locally (run mode) each keeps an embedded SQLite file, so nothing but the .NET SDK is needed.
if (builder.ExecutionContext.IsPublishMode)
{
    // The password is a generated secret parameter; the volume is named, not derived from this checkout's path.
    var postgres = builder.AddPostgres("postgres")
        .WithDataVolume("postgres-data");
    var paymentsDb = postgres.AddDatabase("paymentsdb");
    var invoicesDb = postgres.AddDatabase("invoicesdb");

    paymentProvider.WithReference(paymentsDb).WaitFor(paymentsDb);
    invoiceApp.WithReference(invoicesDb).WaitFor(invoicesDb);
}

builder.Build().Run();

// Each service's API page (served in Development, as the AppHost runs them), linked from its dashboard resource.
static ResourceUrlAnnotation ApiPage(EndpointReference _) => new() { Url = "/scalar", DisplayText = "API reference" };
