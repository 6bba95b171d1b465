using InvoiceApp;
using InvoiceApp.Apis;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddInvoiceApp();

var app = builder.Build();

await app.InitializeInvoiceStoreAsync();

app.MapDefaultEndpoints();
app.MapInvoicesApi();

app.Run();
