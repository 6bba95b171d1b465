namespace InvoiceApp.PayApi;

/// <summary>How <c>POST /invoices/pay</c>, the endpoint that moves money, is guarded; bound to "PayApi" and validated on start.</summary>
public sealed class PayApiOptions
{
    public const string Section = "PayApi";

    /// <summary>
    /// The key a caller must send as <c>Authorization: Bearer &lt;key&gt;</c>. Unset, the endpoint is open (a local
    /// run and the tests need no set-up) and the service warns at start outside Development.
    /// </summary>
    public string? ApiKey { get; set; }

    public PayRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>
/// A fixed window per client address. The defaults stop a flood (at most 10 calls a second on average from one
/// client) while leaving room for a client that retries a partly failed pay call in a loop.
/// </summary>
public sealed class PayRateLimitOptions
{
    /// <summary>Pay calls one client may start in one window.</summary>
    public int PermitLimit { get; set; } = 100;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls over the limit that wait for the next window instead of being answered 429 at once.</summary>
    public int QueueLimit { get; set; }
}
