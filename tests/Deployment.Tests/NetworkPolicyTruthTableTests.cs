using k8s.Models;

namespace Deployment.Tests;

/// <summary>
/// The NetworkPolicy truth table of the checklist, every cell evaluated over the rendered policies (the same
/// table test.sh probes with real pods on a cluster), plus the database's and the dashboard's rows.
/// </summary>
public sealed class NetworkPolicyTruthTableTests
{
    public const string InvoiceApp = "invoice-app pod";
    public const string PaymentProvider = "payment-provider pod";
    public const string Postgres = "postgres pod";
    public const string Dashboard = "aspire-dashboard pod";
    public const string Prometheus = "prometheus pod";
    public const string UnlabelledInInvoices = "pod in invoices without invoice-app's labels";
    public const string UnlabelledInPayments = "pod in payments without payment-provider's labels";
    public const string OtherNamespace = "pod in any other namespace";
    public const string IngressController = "ingress-nginx controller";
    public const string KubeDns = "kube-dns";

    public sealed record Cell(string Variant, string From, string To, int Port, string Protocol, bool Allowed)
    {
        public override string ToString() => $"{Variant}: {From} -> {To}:{Port}/{Protocol} {(Allowed ? "allowed" : "blocked")}";
    }

    private static IEnumerable<Cell> Table(string variant)
    {
        var dashboard = variant == RenderedDeployment.WithDashboard;
        // The checklist's table.
        yield return new(variant, InvoiceApp, PaymentProvider, 8080, "TCP", true);
        yield return new(variant, InvoiceApp, KubeDns, 53, "UDP", true);
        yield return new(variant, InvoiceApp, KubeDns, 53, "TCP", true);
        yield return new(variant, PaymentProvider, InvoiceApp, 8080, "TCP", false);
        yield return new(variant, PaymentProvider, KubeDns, 53, "UDP", true);
        yield return new(variant, PaymentProvider, KubeDns, 53, "TCP", true);
        yield return new(variant, UnlabelledInInvoices, PaymentProvider, 8080, "TCP", false);
        yield return new(variant, UnlabelledInInvoices, InvoiceApp, 8080, "TCP", false);
        yield return new(variant, OtherNamespace, PaymentProvider, 8080, "TCP", false);
        yield return new(variant, OtherNamespace, InvoiceApp, 8080, "TCP", false);
        yield return new(variant, IngressController, PaymentProvider, 8080, "TCP", false);
        yield return new(variant, IngressController, InvoiceApp, 8080, "TCP", true);
        // Only the port the service listens on, even from an allowed peer.
        yield return new(variant, InvoiceApp, PaymentProvider, 8081, "TCP", false);
        yield return new(variant, IngressController, InvoiceApp, 8443, "TCP", false);
        yield return new(variant, UnlabelledInPayments, PaymentProvider, 8080, "TCP", false);
        // The database: the two services only, on 5432.
        yield return new(variant, InvoiceApp, Postgres, 5432, "TCP", true);
        yield return new(variant, PaymentProvider, Postgres, 5432, "TCP", true);
        yield return new(variant, UnlabelledInInvoices, Postgres, 5432, "TCP", false);
        yield return new(variant, UnlabelledInPayments, Postgres, 5432, "TCP", false);
        yield return new(variant, OtherNamespace, Postgres, 5432, "TCP", false);
        yield return new(variant, IngressController, Postgres, 5432, "TCP", false);
        yield return new(variant, Postgres, InvoiceApp, 8080, "TCP", false);
        yield return new(variant, Postgres, PaymentProvider, 8080, "TCP", false);
        yield return new(variant, Postgres, KubeDns, 53, "UDP", true);
        // Prometheus: the services' metrics port only, which nothing else reaches; nothing reaches Prometheus.
        yield return new(variant, Prometheus, InvoiceApp, 9464, "TCP", true);
        yield return new(variant, Prometheus, PaymentProvider, 9464, "TCP", true);
        yield return new(variant, Prometheus, KubeDns, 53, "UDP", true);
        yield return new(variant, Prometheus, InvoiceApp, 8080, "TCP", false);
        yield return new(variant, Prometheus, PaymentProvider, 8080, "TCP", false);
        yield return new(variant, Prometheus, Postgres, 5432, "TCP", false);
        yield return new(variant, IngressController, InvoiceApp, 9464, "TCP", false);
        yield return new(variant, InvoiceApp, PaymentProvider, 9464, "TCP", false);
        yield return new(variant, PaymentProvider, InvoiceApp, 9464, "TCP", false);
        yield return new(variant, UnlabelledInInvoices, InvoiceApp, 9464, "TCP", false);
        yield return new(variant, OtherNamespace, PaymentProvider, 9464, "TCP", false);
        yield return new(variant, InvoiceApp, Prometheus, 9090, "TCP", false);
        yield return new(variant, IngressController, Prometheus, 9090, "TCP", false);
        yield return new(variant, OtherNamespace, Prometheus, 9090, "TCP", false);
        // The dashboard: OTLP in from the two services only, when it is deployed; nothing when it is not.
        yield return new(variant, InvoiceApp, Dashboard, 18889, "TCP", dashboard);
        yield return new(variant, PaymentProvider, Dashboard, 18889, "TCP", dashboard);
        yield return new(variant, InvoiceApp, Dashboard, 18888, "TCP", false);
        yield return new(variant, UnlabelledInInvoices, Dashboard, 18889, "TCP", false);
        yield return new(variant, Postgres, Dashboard, 18889, "TCP", false);
        if (dashboard)
        {
            yield return new(variant, OtherNamespace, Dashboard, 18889, "TCP", false);
            yield return new(variant, IngressController, Dashboard, 18888, "TCP", false);
            yield return new(variant, Dashboard, InvoiceApp, 8080, "TCP", false);
            yield return new(variant, Dashboard, PaymentProvider, 8080, "TCP", false);
            yield return new(variant, Dashboard, Postgres, 5432, "TCP", false);
        }
    }

    public static TheoryData<string, string, string, int, string, bool> Cells
    {
        get
        {
            var data = new TheoryData<string, string, string, int, string, bool>();
            foreach (var c in Table(RenderedDeployment.Default).Concat(Table(RenderedDeployment.WithDashboard)))
            {
                data.Add(c.Variant, c.From, c.To, c.Port, c.Protocol, c.Allowed);
            }
            return data;
        }
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
            : new PodEndpoint(name, "observability", rendered.NamespaceLabels("observability"), new Dictionary<string, string> { ["app"] = "aspire-dashboard" }, new Dictionary<string, int>()),
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
        var sources = new[] { InvoiceApp, PaymentProvider, Postgres, Prometheus, UnlabelledInInvoices, UnlabelledInPayments, OtherNamespace, IngressController };
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
            [InvoiceApp] = [(PaymentProvider, 8080), (Postgres, 5432), (KubeDns, 53), .. withDashboard ? [(Dashboard, 18889)] : Array.Empty<(string, int)>()],
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
