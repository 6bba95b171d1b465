using Bench;
using TestSupport;

namespace Bench.Tests;

public sealed class OverlaySettingsTests
{
    [Fact]
    public void Keeps_the_overlay_settings_and_leaves_out_what_the_run_sets_itself()
    {
        const string Kustomization = """
            configMapGenerator:
            - name: invoice-app-env
              literals:
              - OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory
              - HTTP_PORTS=8080
              - ASPNETCORE_URLS=http://+:8080
              - services__payment-provider__http__0=http://payment-provider:8080
              - PAYMENT_PROVIDER_HTTP=http://payment-provider:8080
              - INVOICESDB_HOST=postgres
              - OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
              - Payments__DrainTimeout=00:00:20
              - PayApi__RateLimit__PermitLimit=20
              - Database__MaxPoolSize=10
            """;

        var settings = OverlaySettings.Read(Kustomization);

        Assert.Equal(
            [
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory", "Payments__DrainTimeout=00:00:20",
                "Database__MaxPoolSize=10",
            ],
            settings.Select(setting => $"{setting.Key}={setting.Value}"));
    }

    [Fact]
    public void The_overlays_of_the_repository_give_each_service_its_pool_size()
    {
        foreach (var overlay in new[] { "invoices", "payments" })
        {
            var file = RepositoryRoot.Combine("deploy", overlay, "kustomization.yaml");
            var settings = OverlaySettings.Read(File.ReadAllText(file));

            Assert.Contains(settings, setting => setting.Key == "Database__MaxPoolSize");
            Assert.DoesNotContain(settings, setting => setting.Key.StartsWith("services__", StringComparison.Ordinal));
        }
    }
}
