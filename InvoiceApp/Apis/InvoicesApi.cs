using InvoiceApp.Model;
using InvoiceApp.Payments;
using InvoiceApp.PayApi;
using InvoiceApp.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InvoiceApp.Apis;

public static class InvoicesApi
{
    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/invoices");

        api.MapGet("/", ListAsync);
        api.MapPost("/pay", PayAsync).RequirePayApiProtection();

        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<Invoice>>, BadRequest<ErrorResponse>>> ListAsync(
        string? paid, IInvoiceStore store, CancellationToken cancellationToken)
    {
        bool? filter = null;
        if (paid is not null)
        {
            if (!bool.TryParse(paid, out var value))
            {
                return TypedResults.BadRequest(new ErrorResponse("paid must be true or false"));
            }
            filter = value;
        }
        return TypedResults.Ok(await store.ListAsync(filter, cancellationToken));
    }

    /// <summary>
    /// Pays every unpaid invoice. The work is not tied to the client's connection: a client that gives up
    /// mid-way must not cut a payment off between the provider's answer and recording it.
    /// </summary>
    public static async Task<Results<Ok<PayResult>, JsonHttpResult<PayResult>>> PayAsync(InvoicePayer payer, IHostApplicationLifetime lifetime)
    {
        var result = await payer.PayAllUnpaidAsync(lifetime.ApplicationStopping);
        return result.Failed.Count == 0
            ? TypedResults.Ok(result)
            : TypedResults.Json(result, InvoiceJsonContext.Default.PayResult, statusCode: StatusCodes.Status502BadGateway);
    }
}
