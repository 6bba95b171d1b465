using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PaymentProvider.Model;
using PaymentProvider.Storage;
using ServiceDefaults;

namespace PaymentProvider.Apis;

public static class PaymentsApi
{
    /// <summary>A payment request is a few dozen bytes; anything near this is not one.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/payments").WithTags("Payments");

        api.MapPost("/pay", PayAsync)
            .AddOpenApiOperationTransformer(DescribePaymentRequestAsync)
            .WithSummary("Record a payment, once per id");
        api.MapGet("/", ListAsync).WithSummary("List the recorded payments");
        api.MapGet("/{id}", FindAsync).WithSummary("Find a payment by its id");

        return app;
    }

    public static async Task<Results<Ok<PaymentAccepted>, BadRequestProblem, ConflictProblem, PayloadTooLargeProblem,
        UnsupportedMediaTypeProblem>> PayAsync(
        HttpRequest request, IPaymentStore store, PaymentMetrics metrics, CancellationToken cancellationToken) =>
        await JsonBodyReader.ReadAsync(request, ParsePaymentRequest, MaxBodyBytes, cancellationToken) switch
        {
            JsonBody<ReceivedPaymentRequest>.NotJson => new UnsupportedMediaTypeProblem("content type must be application/json"),
            JsonBody<ReceivedPaymentRequest>.TooLarge tooLarge =>
                new PayloadTooLargeProblem($"request body must be at most {tooLarge.LimitBytes} bytes"),
            JsonBody<ReceivedPaymentRequest>.Read read => read.Value.Request.Validate(read.Value.Text) switch
            {
                PaymentValidation.Valid valid => await RecordAsync(valid.Payment, store, metrics, cancellationToken) switch
                {
                    RecordOutcome.Conflict =>
                        new ConflictProblem($"payment {valid.Payment.Id} is already recorded with another value or currency"),
                    RecordOutcome.Recorded or RecordOutcome.Replayed => TypedResults.Ok(new PaymentAccepted(valid.Payment.Id)),
                    var outcome => throw new UnreachableException($"unknown record outcome {outcome}"),
                },
                PaymentValidation.Invalid invalid => new BadRequestProblem(invalid.Error),
                var validation => throw new UnreachableException($"unknown validation {validation}"),
            },
            JsonBody<ReceivedPaymentRequest>.Malformed => new BadRequestProblem("failed to process payment request parameters"),
            var body => throw new UnreachableException($"unknown body {body}"),
        };

    /// <summary>The handler reads the body itself, so the document learns its shape here: <c>Accepts&lt;T&gt;</c> would let
    /// routing refuse another content type with its own 415 before the handler could say why.</summary>
    private static async Task DescribePaymentRequestAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(typeof(PaymentRequest), parameterDescription: null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }

    /// <summary>The request as parsed, and what its raw text shows; null (or a JsonException) when it is not a payment request.</summary>
    private static ReceivedPaymentRequest? ParsePaymentRequest(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, PaymentJsonContext.Default.PaymentRequest) is { } parsed
            ? new ReceivedPaymentRequest(parsed, PaymentRequestText.Scan(utf8))
            : null;

    /// <summary>Records the payment inside its own "record payment" span, which ends carrying the outcome.</summary>
    private static async Task<RecordOutcome> RecordAsync(
        PaymentRequestValues payment, IPaymentStore store, PaymentMetrics metrics, CancellationToken cancellationToken)
    {
        using var recording = PaymentMetrics.StartRecording(payment);
        var result = await store.RecordAsync(payment, cancellationToken);
        metrics.Recorded(result.Outcome, payment);
        return result.Outcome;
    }

    public static async Task<Ok<IReadOnlyList<Payment>>> ListAsync(IPaymentStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    public static async Task<Results<Ok<Payment>, NotFoundProblem, BadRequestProblem>> FindAsync(
        string id, IPaymentStore store, CancellationToken cancellationToken)
    {
        // An id outside the safe set can never have been recorded: say why rather than "not found".
        if (PaymentId.Problem(id) is { } problem)
        {
            return new BadRequestProblem(problem);
        }
        return await store.FindAsync(id, cancellationToken) is { } payment
            ? TypedResults.Ok(payment)
            : new NotFoundProblem($"payment {id} not found");
    }
}

/// <summary>The answer to a payment that is recorded (now or before): the original service's <c>{"id":"I1"}</c>.</summary>
public sealed record PaymentAccepted(string Id);
