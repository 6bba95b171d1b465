using System.Data.Common;
using PaymentProvider.Model;
using Persistence;

namespace PaymentProvider.Storage;

/// <summary>Payments in SQLite or PostgreSQL through plain ADO.NET: the primary key is what makes recording idempotent.</summary>
public sealed class SqlPaymentStore(Database database, TimeProvider time) : IPaymentStore
{
    private const string Columns = "id, value, currency, recorded_at";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync("payment-provider-schema",
        [
            $"""
            CREATE TABLE IF NOT EXISTS payments (
                id          VARCHAR(64) PRIMARY KEY,
                value       {database.MoneyType} NOT NULL,
                currency    CHAR(3) NOT NULL,
                recorded_at BIGINT NOT NULL
            )
            """,
        ], cancellationToken);

    public async Task<RecordResult> RecordAsync(PaymentRequestValues request, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var insert = connection.CreateCommand(
            "INSERT INTO payments (id, value, currency, recorded_at) VALUES (@id, @value, @currency, @recordedAt) ON CONFLICT (id) DO NOTHING"))
        {
            insert.AddParameter("id", request.Id)
                .AddParameter("value", request.Value)
                .AddParameter("currency", request.Currency)
                .AddParameter("recordedAt", time.GetUtcNow().ToUnixTimeMilliseconds());
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return new RecordResult(RecordOutcome.Recorded, (await FindAsync(connection, request.Id, cancellationToken))!);
            }
        }

        // The id was recorded before (by this request's earlier attempt or another client): never record it twice.
        var existing = await FindAsync(connection, request.Id, cancellationToken)
            ?? throw new InvalidOperationException($"payment {request.Id} conflicted on insert but cannot be read");
        return new RecordResult(existing.IsSamePaymentAs(request) ? RecordOutcome.Replayed : RecordOutcome.Conflict, existing);
    }

    public async Task<Payment?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FindAsync(connection, id, cancellationToken);
    }

    public async Task<IReadOnlyList<Payment>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"SELECT {Columns} FROM payments ORDER BY recorded_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payments = new List<Payment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            payments.Add(Read(reader));
        }
        return payments;
    }

    private static async Task<Payment?> FindAsync(DbConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT {Columns} FROM payments WHERE id = @id");
        command.AddParameter("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Payment Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetDecimal(1),
        reader.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
}
