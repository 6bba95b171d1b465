using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using InvoiceApp.Model;
using InvoiceApp.Storage;
using TestSupport;

namespace Faults.Tests;

/// <summary>
/// invoice-app (one or more processes) and payment-provider (one process) as in production, each with its own
/// real database, talking through a <see cref="FaultProxy"/>. The test drives it over HTTP, kills and restarts
/// its processes, and audits both sides at the end.
/// </summary>
public sealed class PaymentSystem : IAsyncDisposable
{
    /// <summary>Short timeouts, so that a scenario with hundreds of faults ends in seconds.</summary>
    private static readonly Dictionary<string, string> Resilience = new()
    {
        ["HttpClientResilience__AttemptTimeout__Timeout"] = "00:00:01",
        ["HttpClientResilience__TotalRequestTimeout__Timeout"] = "00:00:04",
        ["HttpClientResilience__Retry__MaxRetryAttempts"] = "2",
        ["HttpClientResilience__Retry__Delay"] = "00:00:00.050",
        ["HttpClientResilience__CircuitBreaker__SamplingDuration"] = "00:00:02",
        ["HttpClientResilience__CircuitBreaker__BreakDuration"] = "00:00:01",
        // A claim outlives one whole provider call with its retries.
        ["Payments__ClaimLease"] = "00:00:05",
        ["Payments__RecoveryInterval"] = "00:00:01",
        ["Payments__MaxParallelPayments"] = "8",
        ["Payments__SeedDemoInvoices"] = "false",
    };

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ServiceProcess> _invoiceApps = [];
    private readonly List<ServiceProcess> _started = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private ServiceProcess? _provider;
    private long _payCalls;

    private PaymentSystem(TestDatabase invoices, TestDatabase payments, FaultProxy proxy)
    {
        InvoicesDb = invoices;
        PaymentsDb = payments;
        Proxy = proxy;
    }

    public TestDatabase InvoicesDb { get; }

    public TestDatabase PaymentsDb { get; }

    public FaultProxy Proxy { get; }

    public IReadOnlyList<Invoice> Seeded { get; private set; } = [];

    public IReadOnlyList<ServiceProcess> InvoiceApps => _invoiceApps;

    public ServiceProcess Provider => _provider!;

    public int CrashesSurvived { get; private set; }

    public long PayCalls => Interlocked.Read(ref _payCalls);

    public static async Task<PaymentSystem> CreateAsync(string engine, int seed, CancellationToken cancellationToken)
    {
        // The databases first: without PostgreSQL the test is skipped here, before anything needs stopping.
        var invoices = TestDatabase.Create(engine, "faults_invoices");
        var payments = TestDatabase.Create(engine, "faults_payments");
        var proxy = await FaultProxy.StartAsync(seed, cancellationToken);
        return new PaymentSystem(invoices, payments, proxy);
    }

    /// <summary>Puts invoices straight into invoice-app's database through its own store, as an import would.</summary>
    public async Task SeedAsync(int count, CancellationToken cancellationToken)
    {
        string[] currencies = ["EUR", "GBP", "DKK", "USD"];
        var invoices = Enumerable.Range(1, count)
            .Select(i => new Invoice(
                $"INV-{i:D5}",
                decimal.Parse($"{i % 997 + 1}.{i % 100:D2}", CultureInfo.InvariantCulture),
                currencies[i % currencies.Length],
                false))
            .ToList();
        await using var database = InvoicesDb.Open();
        var store = new SqlInvoiceStore(database);
        await store.InitializeAsync([], cancellationToken);
        await Parallel.ForEachAsync(invoices, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (invoice, token) => Assert.True(await store.AddAsync(invoice, token)));
        Seeded = invoices;
    }

    /// <param name="settings">Environment variables added to the provider's own.</param>
    public async Task StartProviderAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ConnectionStrings__paymentsdb"] = PaymentsDb.ConnectionString,
        };
        _provider = await ServiceProcess.StartAsync("PaymentProvider", environment, StartTimeout, cancellationToken);
        _started.Add(_provider);
        Proxy.Upstream = _provider.Address;
    }

    /// <summary>Kills the provider mid-run; the proxy drops what reaches it until it is back.</summary>
    public async Task KillProviderAsync()
    {
        Proxy.Upstream = null;
        await _provider!.KillAsync();
    }

    /// <param name="settings">Environment variables over the short timeouts above.</param>
    public async Task<ServiceProcess> StartInvoiceAppAsync(
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(Resilience)
        {
            ["ConnectionStrings__invoicesdb"] = InvoicesDb.ConnectionString,
            ["services__payment-provider__http__0"] = Proxy.Address.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var app = await ServiceProcess.StartAsync("InvoiceApp", environment, StartTimeout, cancellationToken);
        _invoiceApps.Add(app);
        _started.Add(app);
        return app;
    }

    public async Task KillInvoiceAppAsync(ServiceProcess app)
    {
        // Disposed with the system: a pay loop may still be looking at it.
        await app.KillAsync();
        _invoiceApps.Remove(app);
    }

    public void CountCrashSurvived() => CrashesSurvived++;

    /// <summary>Errors any of the processes logged, killed ones included.</summary>
    public IReadOnlyList<string> ErrorsLogged =>
        [.. _started.SelectMany(process => process.ErrorsLogged.Select(error => $"{process.Name}: {error}"))];

    /// <summary>The messages and exceptions under the errors the services logged.</summary>
    public string ErrorDetails => string.Join("\n", _started
        .Where(process => process.ErrorsLogged.Count > 0)
        .Select(process => $"--- {process.Name} errors\n{process.ErrorDetails}"));

    public string Diagnostics =>
        string.Join("\n", _started.Select(process => $"--- {process.Name} {process.Address}\n{process.RecentOutput}"));

    /// <summary>
    /// One <c>POST /invoices/pay</c>; 200, 202 and 502 are all answers (202: others are paying some right now; 502:
    /// some payments failed or are in doubt this time).
    /// </summary>
    public async Task<int> PayOnceAsync(ServiceProcess app, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _payCalls);
        try
        {
            using var response = await _http.PostAsync(new Uri(app.Address, "/invoices/pay"), null, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(
                response.StatusCode is System.Net.HttpStatusCode.OK
                    or System.Net.HttpStatusCode.Accepted
                    or System.Net.HttpStatusCode.BadGateway,
                $"POST /invoices/pay answered {(int)response.StatusCode}: {body}\n{app.RecentOutput}");
            return (int)response.StatusCode;
        }
        catch (HttpRequestException) when (app.HasExited)
        {
            return 0; // killed by the test while answering
        }
        catch (HttpRequestException e)
        {
            // Not killed by the test: say what the process wrote last. A crash closes its socket a moment before
            // its exit is seen, so look again after a short wait.
            await Task.Delay(500, CancellationToken.None);
            var state = app.HasExited ? "has exited" : "is still running";
            throw new InvalidOperationException(
                $"POST /invoices/pay to {app.Name} at {app.Address} failed ({e.Message}); the process {state}:\n{app.RecentOutput}", e);
        }
    }

    /// <summary>
    /// Keeps asking invoice-app to pay until it shows no unpaid invoice. <paramref name="app"/> is asked for the
    /// current process each round: the test may kill and replace it meanwhile.
    /// </summary>
    public async Task PayUntilAllPaidAsync(Func<ServiceProcess> app, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = app();
            try
            {
                await PayOnceAsync(current, cancellationToken);
                var unpaid = await _http.GetFromJsonAsync<List<InvoiceView>>(
                    new Uri(current.Address, "/invoices?paid=false"), cancellationToken);
                if (unpaid is { Count: 0 })
                {
                    return;
                }
            }
            catch (HttpRequestException) when (current.HasExited)
            {
                // Killed by the test; the next round asks its successor.
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Distinct payment ids the provider has answered 2xx for, as seen by the proxy.</summary>
    public int ConfirmedPayments => Proxy.Payments.Where(payment => payment.Status == 200).Select(payment => payment.Id).Distinct().Count();

    /// <summary>Waits until the provider has confirmed at least <paramref name="count"/> payments.</summary>
    public async Task WaitForConfirmedAsync(int count, CancellationToken cancellationToken)
    {
        while (ConfirmedPayments < count)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Invoices a killed process left claimed, and how many of those the provider had already recorded: the
    /// payments only the recovery path (asking the provider) can settle without paying twice.
    /// </summary>
    public async Task<(int Claimed, int AlreadyAtProvider)> InDoubtAsync(CancellationToken cancellationToken)
    {
        await using var invoices = InvoicesDb.Open();
        await using var connection = await invoices.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM invoices WHERE state IN ('paying', 'indoubt')";
        var claimed = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(reader.GetString(0));
            }
        }
        var confirmed = Proxy.Payments.Where(payment => payment.Status == 200).Select(payment => payment.Id).ToHashSet();
        return (claimed.Count, claimed.Count(confirmed.Contains));
    }

    /// <summary>One <c>POST /invoices/pay</c>, its status and body as they came.</summary>
    public async Task<(int Status, string Body)> PayAnswerAsync(ServiceProcess app, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _payCalls);
        using var response = await _http.PostAsync(new Uri(app.Address, "/invoices/pay"), null, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task<List<InvoiceView>> InvoicesAsync(ServiceProcess app, CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<List<InvoiceView>>(new Uri(app.Address, "/invoices"), cancellationToken) ?? [];

    public async Task<List<PaymentView>> PaymentsAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<List<PaymentView>>(new Uri(Provider.Address, "/payments"), cancellationToken) ?? [];

    /// <summary>Both sides, compared with what was seeded.</summary>
    public async Task<Audit> AuditAsync(ServiceProcess app, CancellationToken cancellationToken)
    {
        var invoices = await _http.GetFromJsonAsync<List<InvoiceView>>(new Uri(app.Address, "/invoices"), cancellationToken) ?? [];
        var payments = await _http.GetFromJsonAsync<List<PaymentView>>(new Uri(Provider.Address, "/payments"), cancellationToken) ?? [];
        var seeded = Seeded.ToDictionary(invoice => invoice.InvoiceId);
        var shown = invoices.ToDictionary(invoice => invoice.InvoiceId);
        var paymentsById = payments.GroupBy(payment => payment.Id).ToDictionary(group => group.Key, group => group.ToList());
        var answers = Proxy.Payments.ToList();

        return new Audit(
            Invoices: seeded.Count,
            ShownPaid: invoices.Count(invoice => invoice.IsPaid),
            PaymentsAtProvider: payments.Count,
            DuplicatePayments: paymentsById.Values.Sum(group => group.Count - 1),
            WrongAmounts: seeded.Values.Count(invoice => paymentsById.TryGetValue(invoice.InvoiceId, out var paid)
                && paid.Any(payment => payment.Value != invoice.Value || payment.Currency != invoice.Currency)),
            UnknownPayments: paymentsById.Keys.Count(id => !seeded.ContainsKey(id)),
            Conflicts: answers.Count(answer => answer.Status == 409),
            ReplaysAbsorbed: answers.Where(answer => answer.Status == 200).GroupBy(answer => answer.Id).Sum(group => group.Count() - 1),
            Lost: seeded.Keys.Count(id => !shown.TryGetValue(id, out var invoice) || !invoice.IsPaid || !paymentsById.ContainsKey(id)),
            PaidWithoutPayment: invoices.Count(invoice => invoice.IsPaid && !paymentsById.ContainsKey(invoice.InvoiceId)),
            Added: shown.Keys.Count(id => !seeded.ContainsKey(id)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            await process.DisposeAsync();
        }
        await Proxy.DisposeAsync();
        _http.Dispose();
        await InvoicesDb.DisposeAsync();
        await PaymentsDb.DisposeAsync();
    }
}

/// <summary>An invoice as <c>GET /invoices</c> shows it.</summary>
public sealed record InvoiceView(
    [property: JsonPropertyName("InvoiceId")] string InvoiceId,
    [property: JsonPropertyName("Value")] decimal Value,
    [property: JsonPropertyName("Currency")] string Currency,
    [property: JsonPropertyName("IsPaid")] bool IsPaid,
    [property: JsonPropertyName("PaymentState")] string? PaymentState = null);

/// <summary>A payment as <c>GET /payments</c> lists it.</summary>
public sealed record PaymentView(string Id, decimal Value, string Currency);

/// <summary>What the end state shows. Every "must be 0" figure is asserted by the scenarios.</summary>
public sealed record Audit(
    int Invoices,
    int ShownPaid,
    int PaymentsAtProvider,
    int DuplicatePayments,
    int WrongAmounts,
    int UnknownPayments,
    int Conflicts,
    int ReplaysAbsorbed,
    int Lost,
    int PaidWithoutPayment,
    int Added)
{
    /// <summary>A payment recorded twice, with another amount, for no invoice, or refused as a conflicting second payment.</summary>
    public int DoublePayments => DuplicatePayments + WrongAmounts + UnknownPayments + Conflicts;

    public void AssertExactlyOnce(string diagnostics)
    {
        Assert.True(DoublePayments == 0, $"double payments: {this}\n{diagnostics}");
        Assert.True(Lost == 0 && PaidWithoutPayment == 0 && Added == 0, $"lost or invented invoices: {this}\n{diagnostics}");
        Assert.Equal(Invoices, ShownPaid);
        Assert.Equal(Invoices, PaymentsAtProvider);
    }
}
