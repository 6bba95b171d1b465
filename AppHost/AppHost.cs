var builder = DistributedApplication.CreateBuilder(args);

// payment-provider: records payments; internal only, no external endpoint.
var paymentProvider = builder.AddProject<Projects.PaymentProvider>("payment-provider")
    .WithHttpHealthCheck("/health");

// invoice-app: the only service users reach; finds payment-provider through service discovery.
var invoiceApp = builder.AddProject<Projects.InvoiceApp>("invoice-app")
    .WithReference(paymentProvider)
    .WaitFor(paymentProvider)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
