using System.Text.Json;
using System.Text.Json.Serialization;
using PaymentProvider.Apis;
using PaymentProvider.Model;

namespace PaymentProvider;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(PaymentAccepted))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(IReadOnlyList<Payment>))]
public sealed partial class PaymentJsonContext : JsonSerializerContext;
