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
/// A fixed window per client address. The defaults are a flood guard (one client gets at most 50 calls a second)
/// that leaves room for a client retrying a partly failed pay call in a tight loop, as the fault tests do with two
/// clients per process and a call every 50 ms each; a deployment that knows its clients sets a stricter limit.
/// </summary>
public sealed class PayRateLimitOptions
{
    /// <summary>Pay calls one client may start in one window.</summary>
    public int PermitLimit { get; set; } = 500;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls over the limit that wait for the next window instead of being answered 429 at once.</summary>
    public int QueueLimit { get; set; }
}
