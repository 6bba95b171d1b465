using System.Data.Common;
using InvoiceApp.Model;
using Persistence;

namespace InvoiceApp.Storage;

// Every state change is one conditional UPDATE; leases run on PostgreSQL's clock, or on the one host a SQLite file lives on.
public sealed class SqlInvoiceStore(Database database) : IInvoiceStore
{
    // Reads the table (one row at most), so a store that lost it is not ready.
    public const string ReadinessQuery = "SELECT COUNT(*) FROM (SELECT 1 FROM invoices LIMIT 1) AS probe";

    private const string Unpaid = "unpaid";
    private const string Paying = "paying";
    private const string InDoubt = "indoubt";
    private const string Paid = "paid";
    private const string Now = Database.NowMilliseconds;

    private const string Columns = $"""
        currency    CHAR(3) NOT NULL,
        state       VARCHAR(8) NOT NULL DEFAULT '{Unpaid}',
        claim_token VARCHAR(36),
        lease_until BIGINT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        paid_at     BIGINT
        """;
    private const string StateIndex = "CREATE INDEX IF NOT EXISTS invoices_state ON invoices (state)";

    // Money is exact on both engines: text in SQLite (no floating point), NUMERIC in PostgreSQL.
    private static readonly Schema InvoicesSchema = new(
        Sqlite: [$"CREATE TABLE IF NOT EXISTS invoices (id VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL, {Columns})", StateIndex],
        Postgres:
        [
            $"CREATE TABLE IF NOT EXISTS invoices (id VARCHAR(64) PRIMARY KEY, value NUMERIC(14, 2) NOT NULL, {Columns})",
            StateIndex,
        ]);

    private const string Insert = "INSERT INTO invoices (id, value, currency) VALUES (@id, @value, @currency) ON CONFLICT (id) DO NOTHING";

    // The database counts 1 to @count, one statement however many; WHERE true tells SQLite ON CONFLICT is the INSERT's, not a join's.
    private const string Seed = """
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @count)
        INSERT INTO invoices (id, value, currency)
        SELECT @prefix || n, @value, @currency FROM seq WHERE true
        ON CONFLICT (id) DO NOTHING
        """;

    // A claim whose lease ran out has no live holder: its outcome is unknown until recovery settles it.
    private const string Select = $"""
        SELECT id, value, currency,
               CASE WHEN state = '{Paying}' AND lease_until < {Now} THEN '{InDoubt}' ELSE state END
          FROM invoices
        """;
    private const string SelectAll = Select + " ORDER BY id";
    private const string SelectPaid = Select + $" WHERE state = '{Paid}' ORDER BY id";
    private const string SelectNotPaid = Select + $" WHERE state <> '{Paid}' ORDER BY id";
    private const string SelectOne = Select + " WHERE id = @id";

    private const string SelectUnsettled = $"""
        SELECT COUNT(*), COALESCE({Now} - MIN(lease_until), 0) FROM invoices
         WHERE state IN ('{Paying}', '{InDoubt}') AND lease_until < {Now}
        """;
    private const string SelectExpired = $"""
        SELECT id FROM invoices
         WHERE state IN ('{Paying}', '{InDoubt}') AND lease_until < {Now}
         ORDER BY id
        """;

    // One statement decides: of any number of callers, in any number of processes, one gets the claim.
    private const string Claim = $"""
        UPDATE invoices
           SET state = '{Paying}', claim_token = @token, lease_until = {Now} + @lease, attempts = attempts + 1
         WHERE id = @id AND (state = '{Unpaid}' OR (state IN ('{Paying}', '{InDoubt}') AND lease_until < {Now}))
        RETURNING id, value, currency, attempts
        """;

    private const string Claimable = $"(state = '{Unpaid}' OR (state IN ('{Paying}', '{InDoubt}') AND lease_until < {Now}))";

    private const string ClaimSet = $"state = '{Paying}', claim_token = @token, lease_until = {Now} + @lease, attempts = attempts + 1";

    // Claim, for a batch of ids in one statement. SQLite has one writer at a time, so the statement alone decides.
    private const string ClaimManySqlite = $"""
        UPDATE invoices SET {ClaimSet}
         WHERE id IN (SELECT value FROM json_each(@ids)) AND {Claimable}
        RETURNING id, value, currency, attempts
        """;

    // PostgreSQL: the rows are locked in id order first, so that two batches that overlap wait for each other instead
    // of deadlocking; a row another caller claimed meanwhile no longer matches once its lock is granted, and is left out.
    private const string ClaimManyPostgres = $"""
        UPDATE invoices SET {ClaimSet}
         WHERE id IN (SELECT id FROM invoices WHERE id = ANY(@ids) AND {Claimable} ORDER BY id FOR UPDATE)
           AND {Claimable}
        RETURNING id, value, currency, attempts
        """;

    private static readonly EngineStatement ClaimMany = new(ClaimManySqlite, ClaimManyPostgres);

    private const string Renew = $"""
        UPDATE invoices SET lease_until = {Now} + @lease
         WHERE id = @id AND state = '{Paying}' AND claim_token = @token
        """;

    // Not conditional on the token: the provider holds the payment, so the invoice is paid whoever holds the claim now.
    private const string SetPaid = $"""
        UPDATE invoices SET state = '{Paid}', claim_token = NULL, lease_until = NULL, paid_at = {Now}
         WHERE id = @id AND state <> '{Paid}'
        """;

    // The lease stays as it is: recovery waits for it, by which time any request of this attempt is over.
    private const string SetInDoubt = $"""
        UPDATE invoices SET state = '{InDoubt}'
         WHERE id = @id AND state = '{Paying}' AND claim_token = @token
        """;

    // Conditional on the token: a claim that expired and was taken over belongs to its new holder.
    private const string SetUnpaid = $"""
        UPDATE invoices SET state = '{Unpaid}', claim_token = NULL, lease_until = NULL
         WHERE id = @id AND state = '{Paying}' AND claim_token = @token
        """;

    public async Task InitializeAsync(IEnumerable<Invoice> seed, CancellationToken cancellationToken)
    {
        await database.MigrateAsync("invoice-app-schema", InvoicesSchema, cancellationToken);
        foreach (var invoice in seed)
        {
            await AddAsync(invoice, cancellationToken);
        }
    }

    public async Task<int> SeedUnpaidAsync(
        string idPrefix, int count, decimal value, string currency, CancellationToken cancellationToken) =>
        count <= 0
            ? 0
            : await database.ExecuteAsync(
                Seed, [("count", count), ("prefix", idPrefix), ("value", value), ("currency", currency)], cancellationToken);

    public async Task<bool> AddAsync(Invoice invoice, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            Insert, [("id", invoice.InvoiceId), ("value", invoice.Value), ("currency", invoice.Currency)], cancellationToken) == 1;

    public Task<IReadOnlyList<Invoice>> ListAsync(InvoiceSelection selection, CancellationToken cancellationToken) => selection switch
    {
        InvoiceSelection.Paid => database.QueryAsync(SelectPaid, [], ReadInvoice, cancellationToken),
        InvoiceSelection.NotPaid => database.QueryAsync(SelectNotPaid, [], ReadInvoice, cancellationToken),
        InvoiceSelection.All => database.QueryAsync(SelectAll, [], ReadInvoice, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(selection), selection, null),
    };

    public Task<Invoice?> FindAsync(string invoiceId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync(SelectOne, [("id", invoiceId)], ReadInvoice, cancellationToken);

    public Task<IReadOnlyList<string>> ListExpiredClaimsAsync(CancellationToken cancellationToken) =>
        database.QueryAsync(SelectExpired, [], reader => reader.GetString(0), cancellationToken);

    public async Task<UnsettledClaims> FindUnsettledClaimsAsync(CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync(SelectUnsettled, [],
            reader => new UnsettledClaims(reader.GetInt64(0), TimeSpan.FromMilliseconds(reader.GetInt64(1))), cancellationToken)
        ?? UnsettledClaims.None;

    public Task<PaymentClaim?> TryClaimAsync(string invoiceId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid();
        return database.QueryFirstOrDefaultAsync(
            Claim,
            [("token", token.ToString()), ("lease", (long)lease.TotalMilliseconds), ("id", invoiceId)],
            reader => new PaymentClaim(
                new Invoice(reader.GetString(0), reader.GetDecimal(1), reader.GetString(2).Trim(), false)
                {
                    PaymentState = PaymentState.Pending,
                },
                token,
                reader.GetInt32(3)),
            cancellationToken);
    }

    public Task<IReadOnlyList<PaymentClaim>> TryClaimManyAsync(IReadOnlyList<string> invoiceIds, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        if (invoiceIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<PaymentClaim>>([]);
        }
        // One token for the batch: every later change still names the invoice, and the token tells this claim from a successor's.
        var token = Guid.NewGuid();
        var leaseMilliseconds = (long)lease.TotalMilliseconds;
        PaymentClaim Read(DbDataReader reader) => new(
            new Invoice(reader.GetString(0), reader.GetDecimal(1), reader.GetString(2).Trim(), false)
            {
                PaymentState = PaymentState.Pending,
            },
            token, reader.GetInt32(3));
        return database.QueryAsync(ClaimMany, [("token", token.ToString()), ("lease", leaseMilliseconds), ("ids", invoiceIds)],
            Read, cancellationToken);
    }

    public async Task<bool> RenewAsync(PaymentClaim claim, TimeSpan lease, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            Renew,
            [("lease", (long)lease.TotalMilliseconds), ("id", claim.Invoice.InvoiceId), ("token", claim.Token.ToString())],
            cancellationToken) == 1;

    public Task MarkPaidAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        database.ExecuteAsync(SetPaid, [("id", claim.Invoice.InvoiceId)], cancellationToken);

    public Task MarkInDoubtAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        database.ExecuteAsync(SetInDoubt, [("id", claim.Invoice.InvoiceId), ("token", claim.Token.ToString())], cancellationToken);

    public Task ReleaseAsync(PaymentClaim claim, CancellationToken cancellationToken) =>
        database.ExecuteAsync(SetUnpaid, [("id", claim.Invoice.InvoiceId), ("token", claim.Token.ToString())], cancellationToken);

    private static Invoice ReadInvoice(DbDataReader reader)
    {
        var state = reader.GetString(3) switch
        {
            Paid => PaymentState.Paid,
            Paying => PaymentState.Pending,
            InDoubt => PaymentState.InDoubt,
            _ => PaymentState.Unpaid,
        };
        return new Invoice(reader.GetString(0), reader.GetDecimal(1), reader.GetString(2).Trim(), state == PaymentState.Paid)
        {
            PaymentState = state,
        };
    }
}
