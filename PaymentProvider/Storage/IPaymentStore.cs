using PaymentProvider.Model;

namespace PaymentProvider.Storage;

/// <summary>The provider's record of payments. Recording is atomic: one id is recorded at most once, ever.</summary>
public interface IPaymentStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Records the payment unless its id is already recorded; then tells whether the request replays it or conflicts.</summary>
    Task<RecordResult> RecordAsync(PaymentRequestValues request, CancellationToken cancellationToken);

    Task<Payment?> FindAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Payment>> ListAsync(CancellationToken cancellationToken);
}
