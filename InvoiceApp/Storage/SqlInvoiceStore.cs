using System.Data.Common;
using InvoiceApp.Model;
using Persistence;

namespace InvoiceApp.Storage;

/// <summary>
/// Invoices in SQLite or PostgreSQL through plain ADO.NET; every state change is one conditional UPDATE.
/// On PostgreSQL lease times are the server's <c>now()</c>; a SQLite file lives on one host, whose clock
/// (<paramref name="time"/>) every process on it shares.
/// </summary>
public sealed class SqlInvoiceStore(Database database, TimeProvider? time = null) : IInvoiceStore
{
    private const string Unpaid = "unpaid";
    private const string Paying = "paying";
    private const string InDoubt = "indoubt";
    private const string Paid = "paid";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

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
        var filter = paid switch
        {
            true => $"WHERE state = '{Paid}'",
            false => $"WHERE state <> '{Paid}'",
            null => "",
        };
        return await ReadInvoicesAsync(filter, null, cancellationToken);
    }

    public async Task<Invoice?> FindAsync(string invoiceId, CancellationToken cancellationToken) =>
        (await ReadInvoicesAsync("WHERE id = @id", invoiceId, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<string>> ListExpiredClaimsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM invoices WHERE state IN ('{Paying}', '{InDoubt}') AND lease_until < {Now(command)} ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public async Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid();
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement decides: of any number of callers, in any number of processes, one gets the claim.
        await using var command = connection.CreateCommand();
        var now = Now(command);
        command.CommandText =
            $"""
            UPDATE invoices
               SET state = '{Paying}', claim_token = @token, lease_until = {now} + @lease, attempts = attempts + 1
             WHERE id = @id AND (state = '{Unpaid}' OR (state IN ('{Paying}', '{InDoubt}') AND lease_until < {now}))
            RETURNING id, value, currency, state, attempts
            """;
        command.AddParameter("token", token.ToString())
            .AddParameter("lease", (long)lease.TotalMilliseconds)
            .AddParameter("id", invoiceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new PaymentClaim(new Invoice(reader.GetString(0), reader.GetDecimal(1), reader.GetString(2).Trim(), false) { PaymentState = PaymentState.Pending },
            token, reader.GetInt32(4));
    }

    public async Task<bool> RenewAsync(PaymentClaim claim, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE invoices SET lease_until = {Now(command)} + @lease WHERE id = @id AND state = '{Paying}' AND claim_token = @token";
        command.AddParameter("lease", (long)lease.TotalMilliseconds)
            .AddParameter("id", claim.Invoice.InvoiceId)
            .AddParameter("token", claim.Token.ToString());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Not conditional on the token: the provider holds the payment, so the invoice is paid whoever holds the claim now.
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"UPDATE invoices SET state = '{Paid}', claim_token = NULL, lease_until = NULL, paid_at = {Now(command)} WHERE id = @id AND state <> '{Paid}'";
        command.AddParameter("id", claim.Invoice.InvoiceId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkInDoubtAsync(PaymentClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The lease stays as it is: recovery waits for it, by which time any request of this attempt is over.
        await using var command = connection.CreateCommand(
            $"UPDATE invoices SET state = '{InDoubt}' WHERE id = @id AND state = '{Paying}' AND claim_token = @token");
        command.AddParameter("id", claim.Invoice.InvoiceId).AddParameter("token", claim.Token.ToString());
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

    private async Task<IReadOnlyList<Invoice>> ReadInvoicesAsync(string filter, string? id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A claim whose lease ran out has no live holder: its outcome is unknown until recovery settles it.
        command.CommandText =
            $"""
            SELECT id, value, currency,
                   CASE WHEN state = '{Paying}' AND lease_until < {Now(command)} THEN '{InDoubt}' ELSE state END
              FROM invoices {filter} ORDER BY id
            """;
        if (id is not null)
        {
            command.AddParameter("id", id);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var invoices = new List<Invoice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = reader.GetString(3) switch
            {
                Paid => PaymentState.Paid,
                Paying => PaymentState.Pending,
                InDoubt => PaymentState.InDoubt,
                _ => PaymentState.Unpaid,
            };
            invoices.Add(new Invoice(reader.GetString(0), reader.GetDecimal(1), reader.GetString(2).Trim(), state == PaymentState.Paid) { PaymentState = state });
        }
        return invoices;
    }

    /// <summary>The current time in Unix milliseconds as SQL: the server's clock on PostgreSQL, this host's for a SQLite file.</summary>
    private string Now(DbCommand command)
    {
        if (database.ServerClockMilliseconds is { } serverClock)
        {
            return serverClock;
        }
        if (!command.Parameters.Contains("now"))
        {
            command.AddParameter("now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        return "@now";
    }
}
