using PaymentProvider;
using PaymentProvider.Apis;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddPaymentProvider();

var app = builder.Build();

await app.InitializePaymentStoreAsync();

app.MapDefaultEndpoints();
app.MapPaymentsApi();

app.Run();
