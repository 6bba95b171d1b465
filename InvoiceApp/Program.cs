using InvoiceApp;
using InvoiceApp.Apis;
using InvoiceApp.PayApi;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddInvoiceApp();

var app = builder.Build();

await app.InitializeInvoiceStoreAsync();

app.UsePayApiProtection();
app.MapDefaultEndpoints();
app.MapInvoicesApi();

app.Run();
