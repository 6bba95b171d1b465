using System.Text.Json;
using System.Text.Json.Serialization;
using InvoiceApp.Model;
using InvoiceApp.Payments;

namespace InvoiceApp;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Invoice))]
[JsonSerializable(typeof(IReadOnlyList<Invoice>))]
[JsonSerializable(typeof(PayResult))]
[JsonSerializable(typeof(PaymentState))]
public sealed partial class InvoiceJsonContext : JsonSerializerContext;

/// <summary>payment-provider's JSON, as invoice-app sends and reads it.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ProviderPaymentRequest))]
[JsonSerializable(typeof(ProviderPayment))]
[JsonSerializable(typeof(ProviderError))]
public sealed partial class ProviderJsonContext : JsonSerializerContext;
