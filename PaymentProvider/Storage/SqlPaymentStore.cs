using System.Data.Common;
using PaymentProvider.Model;
using Persistence;

namespace PaymentProvider.Storage;

/// <summary>The primary key is what makes recording idempotent.</summary>
public sealed class SqlPaymentStore(Database database, TimeProvider time) : IPaymentStore
{
    /// <summary>Readiness: reads the table (one row at most), so a store that lost it is not ready.</summary>
    public const string ReadinessQuery = "SELECT COUNT(*) FROM (SELECT 1 FROM payments LIMIT 1) AS probe";

    private const string Columns = "currency CHAR(3) NOT NULL, recorded_at BIGINT NOT NULL";

    /// <summary>Money is exact on both engines: text in SQLite (no floating point), NUMERIC in PostgreSQL.</summary>
    private static readonly Schema PaymentsSchema = new(
        Sqlite: [$"CREATE TABLE IF NOT EXISTS payments (id VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL, {Columns})"],
        Postgres: [$"CREATE TABLE IF NOT EXISTS payments (id VARCHAR(64) PRIMARY KEY, value NUMERIC(14, 2) NOT NULL, {Columns})"]);

    private const string Insert =
        "INSERT INTO payments (id, value, currency, recorded_at) VALUES (@id, @value, @currency, @recordedAt) ON CONFLICT (id) DO NOTHING";
    private const string Select = "SELECT id, value, currency, recorded_at FROM payments";
    private const string SelectOne = Select + " WHERE id = @id";
    private const string SelectAll = Select + " ORDER BY recorded_at, id";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync("payment-provider-schema", PaymentsSchema, cancellationToken);

    /// <summary>Reads first, so a replay or a conflict costs no write; the loser of an insert race reads the winner's row
    /// and compares with it like any replay.</summary>
    public async Task<RecordResult> RecordAsync(PaymentRequestValues request, CancellationToken cancellationToken)
    {
        if (await FindAsync(request.Id, cancellationToken) is { } existing)
        {
            return Compare(existing, request);
        }
        var recordedAt = time.GetUtcNow();
        var inserted = await database.ExecuteAsync(Insert,
            [("id", request.Id), ("value", request.Value), ("currency", request.Currency),
                ("recordedAt", recordedAt.ToUnixTimeMilliseconds())],
            cancellationToken) == 1;
        if (inserted)
        {
            return new RecordResult(RecordOutcome.Recorded,
                new Payment(request.Id, request.Value, request.Currency,
                    DateTimeOffset.FromUnixTimeMilliseconds(recordedAt.ToUnixTimeMilliseconds())));
        }
        // Another request recorded this id between the read and the insert: compare with what it recorded.
        var recorded = await FindAsync(request.Id, cancellationToken)
            ?? throw new InvalidOperationException($"payment {request.Id} was recorded but cannot be read");
        return Compare(recorded, request);
    }

    private static RecordResult Compare(Payment recorded, PaymentRequestValues request) =>
        new(recorded.IsSamePaymentAs(request) ? RecordOutcome.Replayed : RecordOutcome.Conflict, recorded);

    public Task<Payment?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync(SelectOne, [("id", id)], Read, cancellationToken);

    public Task<IReadOnlyList<Payment>> ListAsync(CancellationToken cancellationToken) =>
        database.QueryAsync(SelectAll, [], Read, cancellationToken);

    private static Payment Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetDecimal(1),
        reader.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
}
