using k8s;
using k8s.Models;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// prometheus-operator's kinds, as far as the tests read them, so KubernetesYaml can load manifests that carry them
/// (it throws on a kind it has no type for). Unread fields are ignored.
/// </summary>
internal static class MonitoringKinds
{
    public static readonly Dictionary<string, Type> TypeMap = new(StringComparer.Ordinal)
    {
        ["monitoring.coreos.com/v1/PodMonitor"] = typeof(PodMonitor),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
    };

    /// <summary>Every object in <paramref name="yaml"/>, the monitoring kinds included.</summary>
    public static List<object> LoadAll(string yaml) => KubernetesYaml.LoadAllFromString(yaml, TypeMap);
}

public sealed class PodMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public PodMonitorSpec Spec { get; set; } = new();
}

public sealed class PodMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();
    public List<PodMetricsEndpoint> PodMetricsEndpoints { get; set; } = [];
}

public sealed class PodMetricsEndpoint
{
    public string Port { get; set; } = "";
    public string Path { get; set; } = "";
    public string Interval { get; set; } = "";
}

public sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public PrometheusRuleSpec Spec { get; set; } = new();
}

public sealed class PrometheusRuleSpec
{
    public List<RuleGroup> Groups { get; set; } = [];
}

public sealed class RuleGroup
{
    public string Name { get; set; } = "";
    public List<AlertRule> Rules { get; set; } = [];
}

public sealed class AlertRule
{
    public string Alert { get; set; } = "";
    public string Expr { get; set; } = "";
    public string? For { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public Dictionary<string, string> Annotations { get; set; } = [];
}
