using System.Data.Common;
using InvoiceApp.Model;
using InvoiceApp.Payments;
using InvoiceApp.PayApi;
using InvoiceApp.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults;

namespace InvoiceApp.Apis;

public static partial class InvoicesApi
{
    /// <summary>Seconds a client is told to wait before trying again when this instance cannot take a pay call.</summary>
    private const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/invoices").WithTags("Invoices");

        api.MapGet("/", ListAsync).WithSummary("List the invoices, all or only the paid or unpaid ones");
        api.MapPost("/pay", PayAsync).RequirePayApiProtection().WithSummary("Pay every invoice that is not paid");

        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<Invoice>>, BadRequestProblem>> ListAsync(
        string? paid, IInvoiceStore store, CancellationToken cancellationToken)
    {
        var selection = InvoiceSelection.All;
        if (paid is not null)
        {
            if (!bool.TryParse(paid, out var value))
            {
                return new BadRequestProblem("paid must be true or false");
            }
            selection = value ? InvoiceSelection.Paid : InvoiceSelection.NotPaid;
        }
        return TypedResults.Ok(await store.ListAsync(selection, cancellationToken));
    }

    /// <summary>Not tied to the client's connection: a client that gives up must not cut a payment off between the provider's
    /// answer and recording it. Only the drain deadline on shutdown stops it.</summary>
    public static async Task<Results<Ok<PayResult>, Accepted<PayResult>, BadGateway<PayResult>, ServiceUnavailableProblem>> PayAsync(
        InvoicePayer payer, PaymentDrain drain, HttpResponse response, ILoggerFactory loggers)
    {
        if (drain.IsDraining)
        {
            return Unavailable(response, "invoice-app is shutting down; retry the call");
        }
        PayResult result;
        try
        {
            result = await payer.PayAllUnpaidAsync(drain.Deadline);
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException or TimeoutException
            or OperationCanceledException)
        {
            // The invoices could not even be listed: nothing was attempted.
            LogListFailed(loggers.CreateLogger(typeof(InvoicesApi)), e);
            return Unavailable(response, PublicReason.StoreError);
        }

        if (result.IsComplete)
        {
            return TypedResults.Ok(result);
        }
        return result.Failed.Count + result.InDoubt.Count > 0
            ? new BadGateway<PayResult>(result)
            : TypedResults.Accepted((string?)null, result);
    }

    private static ServiceUnavailableProblem Unavailable(HttpResponse response, string error)
    {
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ServiceUnavailableProblem(error);
    }

    [LoggerMessage(LogLevel.Error, "POST /invoices/pay could not list the invoices")]
    private static partial void LogListFailed(ILogger logger, Exception exception);
}
