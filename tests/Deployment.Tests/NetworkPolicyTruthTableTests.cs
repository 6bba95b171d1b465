using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// The NetworkPolicy truth table of deploy/network-policy-truth-table.txt, every row evaluated over the rendered
/// policies (test.sh probes the same rows with real pods on a cluster).
/// </summary>
public sealed class NetworkPolicyTruthTableTests
{
    public const string InvoiceApp = "invoice-app";
    public const string PaymentProvider = "payment-provider";
    public const string Postgres = "postgres";
    public const string Dashboard = "aspire-dashboard";
    public const string Prometheus = "prometheus";
    public const string UnlabelledInInvoices = "unlabelled-in-invoices";
    public const string UnlabelledInPayments = "unlabelled-in-payments";
    public const string OtherNamespace = "other-namespace";
    public const string IngressController = "ingress-nginx";
    public const string KubeDns = "kube-dns";
    private const string File = "network-policy-truth-table.txt";

    public sealed record Cell(string Variant, string From, string To, int Port, string Protocol, bool Allowed)
    {
        public override string ToString() => $"{Variant}: {From} -> {To}:{Port}/{Protocol} {(Allowed ? "allowed" : "blocked")}";
    }

    private static IEnumerable<Cell> Table() =>
        from row in TableFile.Read(File)
        from variant in row["variant"] == "all" ? [RenderedDeployment.Default, RenderedDeployment.WithDashboard] : new[] { row["variant"] }
        select new Cell(variant, row["from"], row["to"], int.Parse(row["port"], System.Globalization.CultureInfo.InvariantCulture),
            row["protocol"], row["expected"] switch
            {
                "allowed" => true,
                "blocked" => false,
                var other => throw new InvalidDataException($"deploy/{File}: expected is allowed or blocked, not '{other}'"),
            });

    public static TheoryData<string, string, string, int, string, bool> Cells
    {
        get
        {
            var data = new TheoryData<string, string, string, int, string, bool>();
            foreach (var c in Table())
            {
                data.Add(c.Variant, c.From, c.To, c.Port, c.Protocol, c.Allowed);
            }
            return data;
        }
    }

    /// <summary>The checklist's own cells, in both variants, and every cell once; the probe column says yes or no.</summary>
    [Fact]
    public void The_table_file_holds_the_checklists_cells_once_each()
    {
        var table = Table().ToList();
        string[] required =
        [
            "invoice-app -> payment-provider:8080/TCP allowed",
            "invoice-app -> kube-dns:53/UDP allowed",
            "invoice-app -> kube-dns:53/TCP allowed",
            "payment-provider -> invoice-app:8080/TCP blocked",
            "payment-provider -> kube-dns:53/UDP allowed",
            "payment-provider -> kube-dns:53/TCP allowed",
            "unlabelled-in-invoices -> payment-provider:8080/TCP blocked",
            "unlabelled-in-invoices -> invoice-app:8080/TCP blocked",
            "other-namespace -> payment-provider:8080/TCP blocked",
            "other-namespace -> invoice-app:8080/TCP blocked",
            "ingress-nginx -> payment-provider:8080/TCP blocked",
            "ingress-nginx -> invoice-app:8080/TCP allowed",
            "prometheus -> invoice-app:9464/TCP allowed",
            "prometheus -> payment-provider:9464/TCP allowed",
            "prometheus -> invoice-app:8080/TCP blocked",
            "prometheus -> payment-provider:8080/TCP blocked",
            "prometheus -> kube-dns:53/UDP allowed",
        ];
        foreach (var variant in new[] { RenderedDeployment.Default, RenderedDeployment.WithDashboard })
        {
            var cells = table.Where(c => c.Variant == variant).Select(c => c.ToString()[(variant.Length + 2)..]).ToList();
            Assert.All(required, cell => Assert.Contains(cell, cells));
            var keys = table.Where(c => c.Variant == variant).Select(c => (c.From, c.To, c.Port, c.Protocol)).ToList();
            Assert.Equal(keys.Distinct().Count(), keys.Count);
        }
        Assert.All(TableFile.Read(File), row => Assert.Contains(row["probe"], new[] { "yes", "no" }));
    }

    [Theory, MemberData(nameof(Cells))]
    public void Network_policies_allow_exactly_the_table(string variant, string from, string to, int port, string protocol, bool expected)
    {
        var cell = new Cell(variant, from, to, port, protocol, expected);
        var rendered = RenderedDeployment.Of(cell.Variant);
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());

        var allowed = network.Allows(Resolve(rendered, cell.From), Resolve(rendered, cell.To), cell.Port, cell.Protocol);

        Assert.True(allowed == cell.Allowed, $"{cell}, but the rendered policies say {(allowed ? "allowed" : "blocked")}");
    }

    private static PodEndpoint Resolve(RenderedDeployment rendered, string name) => name switch
    {
        InvoiceApp => Endpoints.Of(rendered, "invoice-app"),
        PaymentProvider => Endpoints.Of(rendered, "payment-provider"),
        Postgres => Endpoints.Of(rendered, "postgres"),
        Prometheus => Endpoints.Of(rendered, "prometheus"),
        // Without the dashboard overlay the pod stands where it would run, with no policy of its own.
        Dashboard => rendered.Workloads.Any(w => w.Name == "aspire-dashboard")
            ? Endpoints.Of(rendered, "aspire-dashboard")
            : new PodEndpoint(
                name,
                "observability",
                rendered.NamespaceLabels("observability"),
                new Dictionary<string, string> { ["app"] = "aspire-dashboard" },
                new Dictionary<string, int>()),
        UnlabelledInInvoices => Endpoints.Unlabelled(rendered, "invoices"),
        UnlabelledInPayments => Endpoints.Unlabelled(rendered, "payments"),
        OtherNamespace => Endpoints.Elsewhere,
        IngressController => Endpoints.IngressController,
        KubeDns => Endpoints.KubeDns,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an endpoint of the table"),
    };

    /// <summary>
    /// Each protected pod's own ingress policy, on its own: were a source namespace's egress ever opened, the
    /// destination must still admit no more than the table says (both sides are enforced, each must hold alone).
    /// </summary>
    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_protected_pod_admits_only_its_callers_by_its_own_policy(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());
        var sources = new[]
        {
            InvoiceApp,
            PaymentProvider,
            Postgres,
            Prometheus,
            UnlabelledInInvoices,
            UnlabelledInPayments,
            OtherNamespace,
            IngressController,
        };
        var expectedCallers = new Dictionary<(string To, int Port), string[]>
        {
            [(InvoiceApp, 8080)] = [IngressController],
            [(PaymentProvider, 8080)] = [InvoiceApp],
            [(Postgres, 5432)] = [InvoiceApp, PaymentProvider],
            [(InvoiceApp, 9464)] = [Prometheus],
            [(PaymentProvider, 9464)] = [Prometheus],
            [(Prometheus, 9090)] = [],
        };
        if (variant == RenderedDeployment.WithDashboard)
        {
            expectedCallers[(Dashboard, 18889)] = [InvoiceApp, PaymentProvider];
            expectedCallers[(Dashboard, 18888)] = [];
        }
        foreach (var ((to, port), callers) in expectedCallers)
        {
            var admitted = sources.Where(from => network.Admits(Resolve(rendered, to), Resolve(rendered, from), port, "TCP"));
            Assert.Equal(callers.Order(), admitted.Order());
        }
    }

    /// <summary>Each pod's own egress policy, on its own: it may leave only for the destinations the table names.</summary>
    [Theory, MemberData(nameof(RenderedDeployment.Variants), MemberType = typeof(RenderedDeployment))]
    public void Every_pod_may_leave_only_for_its_own_destinations_by_its_own_policy(string variant)
    {
        var rendered = RenderedDeployment.Of(variant);
        var network = new NetworkPolicyEvaluator(rendered.OfType<V1NetworkPolicy>().ToList());
        var withDashboard = variant == RenderedDeployment.WithDashboard;
        (string To, int Port)[] destinations =
        [
            (InvoiceApp, 8080), (PaymentProvider, 8080), (Postgres, 5432), (Dashboard, 18889), (Dashboard, 18888),
            (KubeDns, 53), (OtherNamespace, 8080), (IngressController, 443), (UnlabelledInInvoices, 8080),
            (InvoiceApp, 9464), (PaymentProvider, 9464), (Prometheus, 9090),
        ];
        var expected = new Dictionary<string, (string, int)[]>
        {
            [InvoiceApp] =
            [
                (PaymentProvider, 8080),
                (Postgres, 5432),
                (KubeDns, 53),
                .. withDashboard ? [(Dashboard, 18889)] : Array.Empty<(string, int)>(),
            ],
            [PaymentProvider] = [(Postgres, 5432), (KubeDns, 53), .. withDashboard ? [(Dashboard, 18889)] : Array.Empty<(string, int)>()],
            [Postgres] = [(KubeDns, 53)],
            [Prometheus] = [(InvoiceApp, 9464), (PaymentProvider, 9464), (KubeDns, 53)],
            [UnlabelledInInvoices] = [],
            [UnlabelledInPayments] = [],
        };
        if (withDashboard)
        {
            expected[Dashboard] = [(KubeDns, 53)];
        }
        foreach (var (from, allowed) in expected)
        {
            var released = destinations.Where(d => network.Releases(Resolve(rendered, from), Resolve(rendered, d.To), d.Port, "TCP"));
            Assert.True(allowed.Order().SequenceEqual(released.Order()),
                $"{from} may leave for [{string.Join(", ", released)}], expected [{string.Join(", ", allowed)}]");
        }
    }
}
