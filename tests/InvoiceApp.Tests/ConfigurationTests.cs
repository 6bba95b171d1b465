using System.Text.RegularExpressions;
using TestSupport;

namespace InvoiceApp.Tests;

public sealed partial class ConfigurationTests
{
    /// <summary>
    /// The provider's address comes only from service discovery: no URL literal for it in invoice-app's code or
    /// settings. The only URL allowed is the logical one that service discovery resolves.
    /// </summary>
    [Fact]
    public void Invoice_app_holds_no_address_of_the_payment_provider()
    {
        var directory = RepositoryRoot.Combine("InvoiceApp");
        var offending = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(entry => ProviderAddress().IsMatch(entry.line))
            .Select(entry => $"{Path.GetRelativePath(directory, entry.file)}:{entry.number}: {entry.line.Trim()}")
            .ToList();

        Assert.True(offending.Count == 0, "payment-provider addresses found:\n" + string.Join('\n', offending));
        Assert.Contains("https+http://payment-provider",
            File.ReadAllText(Path.Combine(directory, "Payments", "PaymentProviderClient.cs")), StringComparison.Ordinal);
    }

    /// <summary>Any URL that is not the service-discovery name, or any mention of the provider's local port.</summary>
    [GeneratedRegex(@"(?<![+\w])https?://[^""\s]*payment|:8082\b", RegexOptions.IgnoreCase)]
    private static partial Regex ProviderAddress();
}

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Payments:ClaimLease", "00:00:01", "ClaimLease must outlast one whole provider call")]
    [InlineData("Payments:MaxParallelPayments", "0", "MaxParallelPayments must be 1 to 64")]
    [InlineData("Payments:RecoveryInterval", "00:00:00", "RecoveryInterval must be positive")]
    [InlineData("Payments:DrainTimeout", "00:00:00", "DrainTimeout must be positive")]
    [InlineData("Database:MaxPoolSize", "0", "Database:MaxPoolSize must be at least 1")]
    [InlineData("PayApi:ApiKey", "too-short", "PayApi:ApiKey, when set, must be at least 16 characters")]
    [InlineData("PayApi:ApiKey", "", "PayApi:ApiKey, when set, must be at least 16 characters")]
    [InlineData("PayApi:ApiKey", "key-from-a-file-0123456789\n", "PayApi:ApiKey, when set, must be at least 16 characters")]
    [InlineData("PayApi:ApiKey", "two words 0123456789abcdef", "PayApi:ApiKey, when set, must be at least 16 characters")]
    [InlineData("PayApi:RateLimit:PermitLimit", "0", "PayApi:RateLimit:PermitLimit must be 1 to 1000000")]
    [InlineData("PayApi:RateLimit:Window", "00:00:00", "PayApi:RateLimit:Window must be positive")]
    [InlineData("PayApi:RateLimit:Window", "-00:00:01", "PayApi:RateLimit:Window must be positive")]
    [InlineData("PayApi:RateLimit:QueueLimit", "-1", "PayApi:RateLimit:QueueLimit must be 0 to 10000")]
    [InlineData("PayApi:UnauthorizedRateLimit:PermitLimit", "0", "PayApi:UnauthorizedRateLimit:PermitLimit must be 1 to 1000000")]
    [InlineData("PayApi:UnauthorizedRateLimit:Window", "00:00:00", "PayApi:UnauthorizedRateLimit:Window must be positive")]
    [InlineData("Seed:UnpaidInvoices", "-1", "Seed:UnpaidInvoices must be 0 to 1000000")]
    [InlineData("Seed:UnpaidInvoices", "1000001", "Seed:UnpaidInvoices must be 0 to 1000000")]
    public void A_bad_setting_stops_the_service_at_start_saying_why(string key, string value, string expected)
    {
        using var factory = new InvoiceAppFactory();
        using var misconfigured = factory.With([(key, value)]);

        var error = Assert.ThrowsAny<Exception>(() => misconfigured.CreateClient());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }
}
