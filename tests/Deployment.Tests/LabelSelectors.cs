using k8s.Models;

namespace Deployment.Tests;

/// <summary>Kubernetes label selector semantics: matchLabels and matchExpressions, all of them must hold.</summary>
public static class LabelSelectors
{
    public static bool Matches(this V1LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var present = labels.TryGetValue(expression.Key, out var actual);
            var values = expression.Values ?? [];
            var holds = expression.OperatorProperty switch
            {
                "In" => present && values.Contains(actual!),
                "NotIn" => !present || !values.Contains(actual!),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => throw new InvalidOperationException($"unknown selector operator {expression.OperatorProperty}"),
            };
            if (!holds)
            {
                return false;
            }
        }
        return true;
    }
}
