using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using static Dashboard.Tests.PaymentSystemWithDashboard;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests;

/// <summary>What a user sees: the dashboard in a real browser, after the invoices were paid.</summary>
[Collection(DashboardCollection.Name)]
public sealed partial class DashboardBrowserTests(PaymentSystemWithDashboard system)
{
    /// <summary>The demo invoices that the system pays: id, value, currency.</summary>
    private static readonly Dictionary<string, (string Value, string Currency)> DemoInvoices = new()
    {
        ["I1"] = ("12.15", "EUR"),
        ["I2"] = ("10.25", "GBP"),
        ["I3"] = ("66.13", "DKK"),
    };

    [Fact]
    public async Task The_traces_page_lists_a_payment_trace_across_both_services_and_opens_it()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await DashboardPages.OpenAsync(chromium, system.DashboardUrl, "/traces");

        var trace = page.GetByRole(AriaRole.Row)
            .Filter(new() { HasText = "invoice-app: POST /invoices/pay" })
            .Filter(new() { Has = page.Locator(".trace-service-tag", new() { HasText = InvoiceApp }) })
            .Filter(new() { Has = page.Locator(".trace-service-tag", new() { HasText = PaymentProvider }) });
        await Expect(trace).ToHaveCountAsync(1);
        await DashboardPages.SaveScreenshotAsync(page, "traces-list.png");

        await trace.GetByText("invoice-app: POST /invoices/pay").ClickAsync();
        await Expect(page).ToHaveURLAsync(TraceDetailUrl());

        // Per invoice: pay invoice -> HTTP POST on invoice-app, then POST /payments/pay -> record payment on payment-provider.
        await Expect(SpanCells(page, "invoice-app: pay invoice")).ToHaveCountAsync(3);
        await Expect(SpanCells(page, "invoice-app: HTTP POST 200")).ToHaveCountAsync(3);
        await Expect(SpanCells(page, "payment-provider: POST /payments/pay")).ToHaveCountAsync(3);
        await Expect(SpanCells(page, "payment-provider: record payment")).ToHaveCountAsync(3);
        // And each service's store statements (SQLite files named after the resources): on invoice-app one claim for
        // the batch of three and the paid mark per invoice, on payment-provider the payment's insert.
        await Expect(SpanCells(page, "invoice-app: UPDATE invoice-app")).ToHaveCountAsync(4);
        await Expect(SpanCells(page, "payment-provider: INSERT payment-provider")).ToHaveCountAsync(3);
        await SpanCells(page, "payment-provider: INSERT payment-provider").First.ClickAsync();
        await Expect(SpanTag(page, "db.system.name")).ToHaveTextAsync("sqlite");
        await Expect(SpanTag(page, "db.operation.name")).ToHaveTextAsync("INSERT");

        // A payment's span carries its invoice and outcome.
        await SpanCells(page, "invoice-app: pay invoice").First.ClickAsync();
        await Expect(SpanTag(page, "invoice.outcome")).ToHaveTextAsync("paid");
        var invoiceId = (await SpanTag(page, "invoice.id").InnerTextAsync()).Trim();
        Assert.Contains(invoiceId, DemoInvoices.Keys);
        await Expect(SpanTag(page, "invoice.value")).ToHaveTextAsync(DemoInvoices[invoiceId].Value);
        await Expect(SpanTag(page, "invoice.currency")).ToHaveTextAsync(DemoInvoices[invoiceId].Currency);
        await DashboardPages.SaveScreenshotAsync(page, "payment-trace.png");
    }

    [Fact]
    public async Task The_metrics_page_shows_each_services_payment_instruments_under_its_own_meter()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await DashboardPages.OpenAsync(chromium, system.DashboardUrl, $"/metrics/resource/{PaymentProvider}");

        await DashboardPages.ExpectInstrumentAsync(page, "PaymentProvider", "payments.recorded");

        await page.GotoAsync($"/metrics/resource/{InvoiceApp}");
        await DashboardPages.ExpectInstrumentAsync(page, "InvoiceApp", "invoices.paid");
        await DashboardPages.Instrument(page, "InvoiceApp", "invoices.pay.duration").ClickAsync();
        await Expect(page.GetByText("Time to pay one invoice, provider call included")).ToBeVisibleAsync();
        await DashboardPages.SaveScreenshotAsync(page, "pay-duration.png");
    }

    [Fact]
    public async Task The_resources_page_shows_no_development_certificate_banner_for_the_plain_http_services()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await DashboardPages.OpenAsync(chromium, system.DashboardUrl, "/", showBanners: true);

        // The AppHost raises the banner before the services start, so once they are listed it would be there.
        await Expect(DashboardPages.ResourceRow(page, InvoiceApp)).ToHaveCountAsync(1);
        await Expect(DashboardPages.ResourceRow(page, PaymentProvider)).ToHaveCountAsync(1);
        await Expect(page.GetByText("development certificate")).ToHaveCountAsync(0);
        await DashboardPages.SaveScreenshotAsync(page, "resources-banners.png");
    }

    [Theory]
    [InlineData(InvoiceApp, "InvoiceApp", "Pay every invoice that is not paid")]
    [InlineData(PaymentProvider, "PaymentProvider", "Record a payment, once per id")]
    public async Task Each_services_resource_links_to_its_API_page_which_opens_on_its_operations(
        string resource, string service, string operation)
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await DashboardPages.OpenAsync(chromium, system.DashboardUrl, "/");

        var link = DashboardPages.ResourceRow(page, resource).GetByRole(AriaRole.Link, new() { Name = "API reference" });
        await Expect(link).ToHaveCountAsync(1);
        await Expect(link).ToHaveAttributeAsync("href", new Uri(system.App.GetEndpoint(resource, "http"), "/scalar").ToString());
        await DashboardPages.SaveScreenshotAsync(page, "resources.png");

        var apiPage = await page.Context.RunAndWaitForPageAsync(() => link.ClickAsync());

        // The page rendered the service's own document: its API's group open first, the probes a closed group below.
        await Expect(apiPage).ToHaveTitleAsync($"{service} API");
        var sidebar = apiPage.GetByRole(AriaRole.Complementary, new() { Name = $"Sidebar for {service} | v1" });
        var apiOperation = sidebar.GetByText(operation);
        var probes = sidebar.GetByRole(AriaRole.Button, new() { Name = "Open Group - Health" });
        await Expect(apiOperation).ToBeVisibleAsync();
        await Expect(probes).ToBeVisibleAsync();
        Assert.True((await apiOperation.BoundingBoxAsync())!.Y < (await probes.BoundingBoxAsync())!.Y, "the probes come first");
        await DashboardPages.SaveScreenshotAsync(apiPage, $"{resource}-api-page.png");
    }

    /// <summary>A span's first cell in the trace detail is labelled "resource: span name".</summary>
    private static ILocator SpanCells(IPage page, string resourceAndSpan) =>
        page.GetByRole(AriaRole.Gridcell, new() { Name = resourceAndSpan, Exact = true });

    /// <summary>The value of one attribute in the selected span's details.</summary>
    private static ILocator SpanTag(IPage page, string key) =>
        page.GetByRole(AriaRole.Row)
            .Filter(new() { Has = page.Locator(".nameColumn").GetByText(key, new() { Exact = true }) })
            .Locator(".valueColumn");

    [GeneratedRegex("/traces/detail/[0-9a-f]+")]
    private static partial Regex TraceDetailUrl();
}
