namespace InvoiceApp.PayApi;

/// <summary>How <c>POST /invoices/pay</c>, the endpoint that moves money, is guarded; bound to "PayApi" and validated on start.</summary>
public sealed class PayApiOptions
{
    public const string Section = "PayApi";

    /// <summary>The key a caller must send as <c>Authorization: Bearer &lt;key&gt;</c>. Required outside Development.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Outside Development, runs the pay endpoint without a key on purpose (with a warning at start).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>The budget of pay calls with the valid key (per key; per client address where no key is required).</summary>
    public PayRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>The separate budget of pay calls with a missing or wrong key, per client address: guessing stays slow.</summary>
    public PayRateLimitOptions UnauthorizedRateLimit { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>The default is a flood guard (50 calls a second) that lets a client retry a partly failed pay call in a tight
/// loop, as the fault tests do; a deployment that knows its clients sets a stricter one.</summary>
public sealed record PayRateLimitOptions
{
    public int PermitLimit { get; set; } = 500;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls over the limit that wait for the next window instead of being answered 429 at once.</summary>
    public int QueueLimit { get; set; }
}
