using k8s.Models;

namespace Deployment.Tests;

/// <summary>A pod as NetworkPolicy sees it: its namespace (with the namespace's labels), its labels, its named ports.</summary>
public sealed record PodEndpoint(
    string Name,
    string Namespace,
    IReadOnlyDictionary<string, string> NamespaceLabels,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, int> NamedPorts)
{
    public override string ToString() => Name;
}

/// <summary>
/// Evaluates Kubernetes NetworkPolicy semantics over a set of policies: a connection from one pod to a port
/// of another is allowed only when the source's egress and the destination's ingress both allow it. A pod
/// selected by no policy of a direction is open in that direction; once any policy of that direction
/// selects it, only what some rule of those policies allows gets through (the policies add up).
/// </summary>
public sealed class NetworkPolicyEvaluator(IReadOnlyList<V1NetworkPolicy> policies)
{
    public bool Allows(PodEndpoint from, PodEndpoint to, int port, string protocol) =>
        Permits(from, "Egress", rule => Direction.Of(rule as V1NetworkPolicyEgressRule), to, port, protocol, to)
        && Permits(to, "Ingress", rule => Direction.Of(rule as V1NetworkPolicyIngressRule), from, port, protocol, to);

    /// <summary>The destination's ingress side alone: whom its own policies admit, whatever the source's egress says.</summary>
    public bool Admits(PodEndpoint to, PodEndpoint from, int port, string protocol) =>
        Permits(to, "Ingress", rule => Direction.Of(rule as V1NetworkPolicyIngressRule), from, port, protocol, to);

    /// <summary>The source's egress side alone: where its own policies let it go, whatever the destination admits.</summary>
    public bool Releases(PodEndpoint from, PodEndpoint to, int port, string protocol) =>
        Permits(from, "Egress", rule => Direction.Of(rule as V1NetworkPolicyEgressRule), to, port, protocol, to);

    private bool Permits(
        PodEndpoint subject,
        string policyType,
        Func<object, Direction> direction,
        PodEndpoint peer,
        int port,
        string protocol,
        PodEndpoint destination)
    {
        var selecting = policies
            .Where(policy => policy.Metadata.NamespaceProperty == subject.Namespace)
            .Where(policy => (policy.Spec.PodSelector ?? new V1LabelSelector()).Matches(subject.Labels))
            .Where(policy => PolicyTypes(policy).Contains(policyType))
            .ToList();
        if (selecting.Count == 0)
        {
            return true;
        }
        return selecting.Any(policy =>
            Rules(policy, policyType).Select(direction).Any(rule =>
                PeersMatch(rule.Peers, policy.Metadata.NamespaceProperty, peer)
                && PortsMatch(rule.Ports, port, protocol, destination)));
    }

    /// <summary>Without policyTypes, a policy is for Ingress, and for Egress too when it has egress rules.</summary>
    private static IReadOnlyList<string> PolicyTypes(V1NetworkPolicy policy) =>
        policy.Spec.PolicyTypes is { Count: > 0 } types
            ? [.. types]
            : policy.Spec.Egress is { Count: > 0 } ? ["Ingress", "Egress"] : ["Ingress"];

    private static IEnumerable<object> Rules(V1NetworkPolicy policy, string policyType) =>
        policyType == "Ingress"
            ? policy.Spec.Ingress?.Cast<object>() ?? []
            : policy.Spec.Egress?.Cast<object>() ?? [];

    private sealed record Direction(IList<V1NetworkPolicyPeer>? Peers, IList<V1NetworkPolicyPort>? Ports)
    {
        public static Direction Of(V1NetworkPolicyIngressRule? rule) => new(rule!.FromProperty, rule.Ports);
        public static Direction Of(V1NetworkPolicyEgressRule? rule) => new(rule!.To, rule.Ports);
    }

    /// <summary>No peers: every peer. A peer with only a podSelector means pods of the policy's own namespace.</summary>
    private static bool PeersMatch(IList<V1NetworkPolicyPeer>? peers, string policyNamespace, PodEndpoint peer)
    {
        if (peers is null || peers.Count == 0)
        {
            return true;
        }
        return peers.Any(candidate =>
        {
            // An address block may cover pod addresses: count it as matching, so no "blocked" cell can pass by it.
            if (candidate.IpBlock is not null)
            {
                return true;
            }
            var namespaceMatches = candidate.NamespaceSelector is null
                ? peer.Namespace == policyNamespace
                : candidate.NamespaceSelector.Matches(peer.NamespaceLabels);
            var podMatches = candidate.PodSelector is null || candidate.PodSelector.Matches(peer.Labels);
            return namespaceMatches && podMatches;
        });
    }

    /// <summary>No ports: every port. A named port is looked up on the destination pod; endPort makes a range.</summary>
    private static bool PortsMatch(IList<V1NetworkPolicyPort>? ports, int port, string protocol, PodEndpoint destination)
    {
        if (ports is null || ports.Count == 0)
        {
            return true;
        }
        return ports.Any(candidate =>
        {
            if ((candidate.Protocol ?? "TCP") != protocol)
            {
                return false;
            }
            if (candidate.Port is null)
            {
                return true;
            }
            var value = candidate.Port.Value;
            int first;
            if (int.TryParse(value, out var number))
            {
                first = number;
            }
            else if (!destination.NamedPorts.TryGetValue(value, out first))
            {
                return false;
            }
            var last = candidate.EndPort ?? first;
            return port >= first && port <= last;
        });
    }
}
