using System.Net;
using System.Text.Json;
using TestSupport;

namespace PaymentProvider.Tests;

/// <summary>
/// The rules only the raw request shows (repeated keys, the digits of a number as written) and the safe set of
/// payment ids: each rejected with 400 and a reason, recording nothing.
/// </summary>
public sealed class StrictInputTests : PaymentProviderTests
{
    private const string IdRule = "payment id may contain only ASCII letters, digits, '-', '_', '.' and ':'";
    private const string AtMostTwoDecimals = "payment value must have at most 2 decimal places";
    private const string NoExponent = "payment value must be a plain decimal number, without an exponent";

    private async Task AssertRejectedAsync(string body, string expectedError)
    {
        var response = await PayAsync(body);

        await ProblemAssert.ErrorAsync(response, HttpStatusCode.BadRequest, expectedError);
        Assert.Empty(await PaymentsAsync());
    }

    [Theory]
    [InlineData("""{"id":"D1","value":1.00,"value":1000.00,"currency":"EUR"}""", "value")]
    [InlineData("""{"id":"a","ID":"b","value":1,"currency":"EUR"}""", "ID")]
    [InlineData("""{"id":"D1","Value":1000.00,"value":1.00,"currency":"EUR"}""", "value")]
    [InlineData("""{"id":"D1","value":1,"currency":"EUR","CURRENCY":"GBP"}""", "CURRENCY")]
    [InlineData("""{"id":"D1","value":1,"currency":"EUR","\u0076alue":2}""", "value")]
    [InlineData("""{"id":"D1","value":1,"currency":"EUR","note":"x","Note":"y"}""", "Note")]
    public async Task A_key_sent_twice_even_in_another_case_is_rejected_naming_it(string body, string repeated)
    {
        await AssertRejectedAsync(body,
            $"the request body must not repeat a key (keys are compared ignoring case): \"{repeated}\" appears more than once");
    }

    [Fact]
    public async Task A_repeated_key_inside_an_ignored_nested_object_is_not_a_top_level_duplicate()
    {
        var response = await PayAsync("""{"id":"N1","value":1.50,"currency":"EUR","meta":{"a":1,"a":2}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await PaymentsAsync());
    }

    [Theory]
    [InlineData("12.149999999999999999999999999999", AtMostTwoDecimals)]
    [InlineData("12.1500000000000000000000000000001", AtMostTwoDecimals)]
    [InlineData("0.0000000000000000000000000000001", AtMostTwoDecimals)]
    [InlineData("999999999.9999999999999999999", AtMostTwoDecimals)]
    [InlineData("12.155", AtMostTwoDecimals)]
    [InlineData("1.215e1", NoExponent)]
    [InlineData("1E2", NoExponent)]
    [InlineData("12.15E0", NoExponent)]
    [InlineData("1215e-2", NoExponent)]
    [InlineData("1e+2", NoExponent)]
    [InlineData("1e-40", NoExponent)]
    public async Task A_value_with_more_than_2_decimals_or_an_exponent_is_rejected_even_when_decimal_rounds_it_away(string value,
        string expectedError)
    {
        await AssertRejectedAsync($$"""{"id":"V1","value":{{value}},"currency":"EUR"}""", expectedError);
    }

    [Theory]
    [InlineData("12.10", 12.10)]
    [InlineData("12.1", 12.1)]
    [InlineData("12", 12)]
    [InlineData("12.150", 12.15)]
    [InlineData("0.01", 0.01)]
    public async Task A_value_of_whole_cents_is_accepted_however_many_trailing_zeros(string value, double expected)
    {
        var response = await PayAsync($$"""{"id":"V1","value":{{value}},"currency":"EUR"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((decimal)expected, Assert.Single(await PaymentsAsync()).GetProperty("value").GetDecimal());
    }

    [Theory]
    [InlineData("""{"id":"I1","value":0e0,"currency":"EUR"}""", "could not retrieve payment value")]
    [InlineData("""{"id":"I1","value":0.000,"currency":"EUR"}""", "could not retrieve payment value")]
    [InlineData("""{"id":"I1","value":1e2}""", "could not retrieve payment currency")]
    [InlineData("""{"value":1.001,"currency":"EUR"}""", "could not retrieve payment id")]
    public async Task A_missing_field_keeps_the_original_message_whatever_else_is_wrong(string body, string expectedError)
    {
        await AssertRejectedAsync(body, expectedError);
    }

    [Theory]
    [InlineData(".", "payment id must not start with '.'")]
    [InlineData("..", "payment id must not start with '.'")]
    [InlineData(".I1", "payment id must not start with '.'")]
    [InlineData("I\u200B1", IdRule + " (not U+200B)")]
    [InlineData("I1\u200D", IdRule + " (not U+200D)")]
    [InlineData("I\u202E1", IdRule + " (not U+202E)")]
    [InlineData("\u2066I1", IdRule + " (not U+2066)")]
    [InlineData("\u0406\u0031", IdRule + " (not U+0406)")]
    [InlineData("\uFF29\uFF11", IdRule + " (not U+FF29)")]
    [InlineData("I\u00A01", IdRule + " (not U+00A0)")]
    [InlineData("I 1", IdRule + " (not U+0020)")]
    [InlineData("I/1", IdRule + " (not U+002F)")]
    [InlineData("I%2F1", IdRule + " (not U+0025)")]
    [InlineData("I?1", IdRule + " (not U+003F)")]
    [InlineData("I#1", IdRule + " (not U+0023)")]
    [InlineData("I\\1", IdRule + " (not U+005C)")]
    [InlineData("\uD83D\uDCB6", IdRule + " (not U+1F4B6)")]
    public async Task A_payment_id_outside_the_safe_set_is_rejected_saying_why(string id, string expectedError)
    {
        await AssertRejectedAsync($$"""{"id":{{JsonSerializer.Serialize(id)}},"value":1,"currency":"EUR"}""", expectedError);
    }

    [Fact]
    public async Task Every_accepted_id_is_found_again_by_GET_payments_id()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:";
        var random = new Random(20261126);
        string[] chosen = ["I1", "I2", "I3", "I9", "X", "INV-00001", "BAD-7", "KEEP-1", "a..b", "A.", ":", "-", "_", "1.2.3", "urn:x:y",
            new string('x', 64)];
        var generated = Enumerable.Range(0, 150).Select(_ =>
        {
            var id = new string([.. Enumerable.Range(0, random.Next(1, 65)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            return id[0] == '.' ? $"x{id[1..]}" : id;
        });
        var ids = chosen.Concat(generated).Distinct().ToList();

        var failures = new List<string>();
        foreach (var id in ids)
        {
            var paid = await PayAsync($$"""{"id":{{JsonSerializer.Serialize(id)}},"value":1.25,"currency":"EUR"}""");
            var found = await Client.GetAsync($"/payments/{Uri.EscapeDataString(id)}", Cancel);
            var foundId = found.IsSuccessStatusCode
                ? (await found.ReadJsonAsync()).GetProperty("id").GetString()
                : null;
            if (paid.StatusCode != HttpStatusCode.OK || found.StatusCode != HttpStatusCode.OK || foundId != id)
            {
                failures.Add($"{id}: pay {(int)paid.StatusCode}, lookup {(int)found.StatusCode} {foundId}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(ids.Count, (await PaymentsAsync()).Length);
    }

    [Theory]
    [InlineData("I%E2%80%8B1", IdRule + " (not U+200B)")]
    [InlineData("%E2%80%AEI1", IdRule + " (not U+202E)")]
    [InlineData(".I1", "payment id must not start with '.'")]
    [InlineData("I%201", IdRule + " (not U+0020)")]
    public async Task Looking_up_an_id_outside_the_safe_set_is_a_bad_request(string escapedId, string expectedError)
    {
        var response = await Client.GetAsync($"/payments/{escapedId}", Cancel);

        await ProblemAssert.ErrorAsync(response, HttpStatusCode.BadRequest, expectedError);
    }
}
