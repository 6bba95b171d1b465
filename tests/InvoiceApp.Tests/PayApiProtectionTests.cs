using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace InvoiceApp.Tests;

/// <summary>
/// <c>POST /invoices/pay</c> moves money: with <c>PayApi:ApiKey</c> set it needs the key, and one client can call
/// it only so often. Reading invoices stays open and unlimited.
/// </summary>
public sealed class PayApiProtectionTests : ServiceTests<InvoiceAppFactory>
{
    private const string Key = "test-key-0123456789abcdef";

    private const string IngressPod = "10.244.0.17";

    private static async Task<HttpResponseMessage> PayAsync(
        HttpClient client, string? authorization = null, string? forwardedFor = null, string peer = IngressPod)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoices/pay");
        request.Headers.Add(PeerAddress.Header, peer);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await client.SendAsync(request, Cancel);
    }

    private static Task<string> ErrorAsync(HttpResponseMessage response) =>
        ProblemAssert.ErrorAsync(response, response.StatusCode);

    /// <summary>One pay call a minute per client, the client named by X-Forwarded-For when the pod network sends it.</summary>
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> BehindTheIngressWithOnePayAMinute(
        params (string Key, string Value)[] settings) =>
        Factory.With(
            [.. settings, ("PayApi:RateLimit:PermitLimit", "1"), ("PayApi:RateLimit:Window", "00:01:00"),
                ("ForwardedHeaders:KnownNetworks:0", "10.244.0.0/16")],
            PeerAddress.AddTo);

    private async Task AssertNothingPaidAsync(HttpClient client)
    {
        var invoices = await client.GetJsonAsync("/invoices");
        Assert.All(invoices.EnumerateArray(), invoice => Assert.False(invoice.GetProperty("IsPaid").GetBoolean()));
        Assert.Equal("[]", await Factory.ProviderClient.GetStringAsync("/payments", Cancel));
    }

    [Fact]
    public async Task Pay_without_a_key_is_refused_with_401_and_a_Bearer_challenge_when_a_key_is_set()
    {
        using var app = Factory.With([("PayApi:ApiKey", Key)]);
        using var client = app.CreateClient();

        var response = await PayAsync(client);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("POST /invoices/pay requires an API key: send it as Authorization: Bearer <key>", await ErrorAsync(response));
        await AssertNothingPaidAsync(client);
    }

    [Fact]
    public async Task Pay_with_a_wrong_key_or_scheme_is_refused_with_401_and_pays_nothing()
    {
        using var app = Factory.With([("PayApi:ApiKey", Key)]);
        using var client = app.CreateClient();
        string[] wrong =
        [
            "Bearer wrong-key-0123456789abcdef", $"Bearer {Key}x", $"Bearer {Key[..^1]}", $"Bearer {Key.ToUpperInvariant()}",
            $"Basic {Key}", Key, "Bearer", "Bearer ", $"Bearer {Key}, Bearer {Key}",
        ];

        foreach (var authorization in wrong)
        {
            var response = await PayAsync(client, authorization);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{authorization}: {(int)response.StatusCode}");
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            Assert.False(string.IsNullOrEmpty(await ErrorAsync(response)));
        }
        await AssertNothingPaidAsync(client);
    }

    [Fact]
    public async Task Pay_with_the_right_key_pays_whatever_the_case_of_the_scheme()
    {
        using var app = Factory.With([("PayApi:ApiKey", Key)]);
        using var client = app.CreateClient();

        var response = await PayAsync(client, $"bearer {Key}");
        var again = await PayAsync(client, $"Bearer   {Key} ");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await response.ReadJsonAsync()).GetProperty("paid").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Reading_invoices_needs_no_key()
    {
        using var app = Factory.With([("PayApi:ApiKey", Key)]);
        using var client = app.CreateClient();

        var response = await client.GetAsync("/invoices?paid=false", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Pay_is_open_when_no_key_is_set_and_AllowAnonymous_says_so()
    {
        using var client = Factory.CreateClient();

        var response = await PayAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_Development_invoice_app_refuses_to_start_without_a_key_and_names_the_setting(string environment)
    {
        using var app = Factory.WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("PayApi:AllowAnonymous", "false");
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("PayApi:ApiKey is not set", Messages(error), StringComparison.Ordinal);
        Assert.Contains("PayApi:AllowAnonymous=true", Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pay_over_the_rate_limit_gets_429_with_Retry_After_and_a_problem_document()
    {
        using var app = Factory.With([("PayApi:RateLimit:PermitLimit", "2"), ("PayApi:RateLimit:Window", "00:01:00")], PeerAddress.AddTo);
        using var client = app.CreateClient();

        var first = await PayAsync(client);
        var second = await PayAsync(client);
        var third = await PayAsync(client);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.StartsWith("too many pay requests from this client", await ErrorAsync(third), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_without_a_valid_key_never_use_up_the_key_holders_budget()
    {
        using var app = Factory.With(
            [("PayApi:ApiKey", Key), ("PayApi:RateLimit:PermitLimit", "3"), ("PayApi:RateLimit:Window", "00:01:00")],
            PeerAddress.AddTo);
        using var client = app.CreateClient();

        // From the key holder's own address (one address behind a NAT, a port-forward or a tunnel).
        var refused = new[] { await PayAsync(client), await PayAsync(client, "Bearer guess-0123456789abcdef"), await PayAsync(client) };
        var paying = await PayAsync(client, $"Bearer {Key}");

        Assert.All(refused, response => Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode));
        Assert.Equal(HttpStatusCode.OK, paying.StatusCode);
    }

    [Fact]
    public async Task Guessing_keys_has_its_own_budget_per_client_address_and_never_locks_out_the_key()
    {
        using var app = Factory.With(
            [
                ("PayApi:ApiKey", Key),
                ("PayApi:UnauthorizedRateLimit:PermitLimit", "2"),
                ("PayApi:UnauthorizedRateLimit:Window", "00:01:00"),
                ("ForwardedHeaders:KnownNetworks:0", "10.244.0.0/16"),
            ],
            PeerAddress.AddTo);
        using var client = app.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await PayAsync(client, $"Bearer guess-{i}-0123456789abcdef", forwardedFor: "203.0.113.10")).StatusCode);
        }
        var limited = await PayAsync(client, forwardedFor: "203.0.113.10");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.StartsWith("too many pay requests without a valid API key from this client", await ErrorAsync(limited),
            StringComparison.Ordinal);
        // Another client still gets its 401, and the key still pays, from the guesser's address too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PayAsync(client, forwardedFor: "198.51.100.20")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PayAsync(client, $"Bearer {Key}", forwardedFor: "203.0.113.10")).StatusCode);
    }

    [Fact]
    public async Task The_key_holders_budget_is_one_per_key_whatever_the_address()
    {
        using var app = BehindTheIngressWithOnePayAMinute(("PayApi:ApiKey", Key));
        using var client = app.CreateClient();

        var first = await PayAsync(client, $"Bearer {Key}", forwardedFor: "203.0.113.10");
        var elsewhere = await PayAsync(client, $"Bearer {Key}", forwardedFor: "198.51.100.20");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Reading_invoices_is_not_rate_limited()
    {
        using var app = Factory.With([("PayApi:RateLimit:PermitLimit", "1"), ("PayApi:RateLimit:Window", "00:01:00")], PeerAddress.AddTo);
        using var client = app.CreateClient();
        await PayAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PayAsync(client)).StatusCode);

        var reads = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => client.GetAsync("/invoices", Cancel)));

        Assert.All(reads, read => Assert.Equal(HttpStatusCode.OK, read.StatusCode));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_limit_is_per_client_address_taken_from_X_Forwarded_For()
    {
        using var app = BehindTheIngressWithOnePayAMinute();
        using var client = app.CreateClient();

        var first = await PayAsync(client, forwardedFor: "203.0.113.10");
        var again = await PayAsync(client, forwardedFor: "203.0.113.10");
        var other = await PayAsync(client, forwardedFor: "198.51.100.20");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_sender_outside_the_known_networks_is_ignored()
    {
        using var app = BehindTheIngressWithOnePayAMinute();
        using var client = app.CreateClient();

        // A client that reaches the pod directly and makes up an address for every call still has one budget.
        var first = await PayAsync(client, forwardedFor: "203.0.113.10", peer: "192.0.2.7");
        var spoofed = await PayAsync(client, forwardedFor: "198.51.100.20", peer: "192.0.2.7");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
    }

    [Fact]
    public void The_frameworks_switch_that_trusts_every_sender_stops_the_service_with_what_to_set_instead()
    {
        using var app = Factory.WithWebHostBuilder(builder => builder.UseSetting("ForwardedHeaders_Enabled", "true"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ForwardedHeaders:KnownNetworks", Messages(error), StringComparison.Ordinal);
    }

    /// <summary>invoice-app's settings from the overlay's ConfigMap literals (deploy/invoices/kustomization.yaml).</summary>
    private static (string Key, string Value)[] OverlaySettings(string prefix) =>
    [
        .. File.ReadLines(RepositoryRoot.Combine("deploy", "invoices", "kustomization.yaml"))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith($"- {prefix}", StringComparison.Ordinal))
            .Select(line => line[2..].Split('=', 2))
            .Select(pair => (pair[0].Replace("__", ":", StringComparison.Ordinal), pair[1])),
    ];

    [Fact]
    public async Task With_the_overlays_settings_only_a_sender_in_the_pod_network_may_name_the_client()
    {
        var forwarding = OverlaySettings("ForwardedHeaders__");
        Assert.NotEmpty(forwarding);
        Assert.Empty(OverlaySettings("ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
        var network = System.Net.IPNetwork.Parse(forwarding[0].Value);
        var inside = new System.Net.IPAddress([.. network.BaseAddress.GetAddressBytes()[..^1], 17]).ToString();
        using var app = Factory.With([.. forwarding, ("PayApi:RateLimit:PermitLimit", "1"), ("PayApi:RateLimit:Window", "00:01:00")],
            PeerAddress.AddTo);
        using var client = app.CreateClient();

        var fromIngress = await PayAsync(client, forwardedFor: "203.0.113.10", peer: inside);
        var otherClientFromIngress = await PayAsync(client, forwardedFor: "198.51.100.20", peer: inside);
        var direct = await PayAsync(client, forwardedFor: "203.0.113.99", peer: "192.0.2.7");
        var spoofed = await PayAsync(client, forwardedFor: "203.0.113.98", peer: "192.0.2.7");

        Assert.Equal(HttpStatusCode.OK, fromIngress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClientFromIngress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
    }

    [Fact]
    public async Task The_default_limit_lets_20_concurrent_pay_calls_through()
    {
        using var client = Factory.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PayAsync(client)));

        // Calls that meet another's payment answer 202 (pending); none is refused by the limiter.
        Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted }));
    }

    [Theory]
    [InlineData("Production", null, true)]
    [InlineData("Staging", null, true)]
    [InlineData("Production", Key, false)]
    [InlineData("Development", null, false)]
    public void An_open_pay_endpoint_is_warned_about_at_start_outside_Development(string environment, string? key, bool warned)
    {
        var logs = new CapturingLoggerProvider();
        using var app = Factory.WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            if (key is not null)
            {
                builder.UseSetting("PayApi:ApiKey", key);
            }
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(logs));
        });

        using var client = app.CreateClient();

        Assert.Equal(warned, logs.Entries.Any(entry =>
            entry.Level == LogLevel.Warning && entry.Message.StartsWith("PayApi:AllowAnonymous is set", StringComparison.Ordinal)));
    }

    private static string Messages(Exception error) =>
        error.InnerException is null ? error.Message : $"{error.Message} | {Messages(error.InnerException)}";
}
