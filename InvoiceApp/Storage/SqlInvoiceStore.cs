using System.Data.Common;
using InvoiceApp.Model;
using Persistence;

namespace InvoiceApp.Storage;

/// <summary>Invoices in SQLite or PostgreSQL through plain ADO.NET; every state change is one conditional UPDATE.</summary>
public sealed class SqlInvoiceStore(Database database) : IInvoiceStore
{
    private const string Unpaid = "unpaid";
    private const string Paying = "paying";
    private const string Paid = "paid";

    public async Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken)
    {
        await database.MigrateAsync("invoice-app-schema",
        [
            $"""
            CREATE TABLE IF NOT EXISTS invoices (
                id          VARCHAR(64) PRIMARY KEY,
                value       {database.MoneyType} NOT NULL,
                currency    CHAR(3) NOT NULL,
                state       VARCHAR(8) NOT NULL DEFAULT '{Unpaid}',
                claim_token VARCHAR(36),
                lease_until BIGINT,
                attempts    INTEGER NOT NULL DEFAULT 0,
                paid_at     BIGINT
            )
            """,
            "CREATE INDEX IF NOT EXISTS invoices_state ON invoices (state)",
        ], cancellationToken);

        foreach (var invoice in seed)
        {
            await AddAsync(invoice, cancellationToken);
        }
    }

    public async Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "INSERT INTO invoices (id, value, currency) VALUES (@id, @value, @currency) ON CONFLICT (id) DO NOTHING");
        command.AddParameter("id", invoice.InvoiceId)
            .AddParameter("value", invoice.Value)
            .AddParameter("currency", invoice.Currency);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<Invoice>> ListAsync(bool? paid, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var filter = paid switch
        {
            true => $"WHERE state = '{Paid}'",
            false => $"WHERE state <> '{Paid}'",
            null => "",
        };
        await using var command = connection.CreateCommand($"SELECT id, value, currency, state FROM invoices {filter} ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var invoices = new List<Invoice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            invoices.Add(ReadInvoice(reader));
        }
        return invoices;
    }

    public async Task<IReadOnlyList<string>> ListClaimableAsync(DateTimeOffset now, bool includeUnpaid, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var unpaid = includeUnpaid ? $"state = '{Unpaid}' OR " : "";
        await using var command = connection.CreateCommand(
            $"SELECT id FROM invoices WHERE {unpaid}(state = '{Paying}' AND lease_until < @now) ORDER BY id");
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public async Task<PaymentClaim?> TryClaimAsync(string invoiceId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid();
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement decides: of any number of callers, in any number of processes, one gets the claim.
        await using var command = connection.CreateCommand(
            $"""
            UPDATE invoices
               SET state = '{Paying}', claim_token = @token, lease_until = @leaseUntil, attempts = attempts + 1
             WHERE id = @id AND (state = '{Unpaid}' OR (state = '{Paying}' AND lease_until < @now))
            RETURNING id, value, currency, state, attempts
            """);
        command.AddParameter("token", token.ToString())
            .AddParameter("leaseUntil", leaseUntil.ToUnixTimeMilliseconds())
            .AddParameter("id", invoiceId)
            .AddParameter("now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new PaymentClaim(ReadInvoice(reader), token, reader.GetInt32(4), leaseUntil);
    }

    public async Task MarkPaidAsync(PaymentClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Not conditional on the token: the provider holds the payment, so the invoice is paid whoever holds the claim now.
        await using var command = connection.CreateCommand(
            $"UPDATE invoices SET state = '{Paid}', claim_token = NULL, lease_until = NULL, paid_at = @now WHERE id = @id AND state <> '{Paid}'");
        command.AddParameter("now", now.ToUnixTimeMilliseconds()).AddParameter("id", claim.Invoice.InvoiceId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Conditional on the token: a claim that expired and was taken over belongs to its new holder.
        await using var command = connection.CreateCommand(
            $"UPDATE invoices SET state = '{Unpaid}', claim_token = NULL, lease_until = NULL WHERE id = @id AND state = '{Paying}' AND claim_token = @token");
        command.AddParameter("id", claim.Invoice.InvoiceId).AddParameter("token", claim.Token.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Invoice ReadInvoice(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetDecimal(1),
        reader.GetString(2).Trim(),
        reader.GetString(3) == Paid);
}
