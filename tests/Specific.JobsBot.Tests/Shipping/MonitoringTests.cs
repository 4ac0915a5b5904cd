using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Observability;
using Specific.JobsBot.Tests.Hosting;
using Specific.Sandbox.TemporalStandIn;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// manifests/components/monitoring: the production overlay carries the PodMonitor, the alerts and the dashboard; the
/// monitor scrapes the port and path both roles serve; every alert links its runbook in the README; and every metric an
/// alert or a panel reads is one the bot or the worker really exports, as their /metrics show it.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MonitoringTests
{
    private const string Component = "manifests/components/monitoring";
    private const string RunbookBase = "https://github.com/example/specific-jobs-bot/blob/main/README.md#";
    private const string RunbooksHeading = "### Alerts and runbooks";

    /// <summary>critical pages, warning goes to a channel.</summary>
    private static readonly string[] Severities = ["critical", "warning"];

    private static readonly List<AlertRule> Alerts = MonitoringKinds.LoadAll(RepositoryFiles.Read(Component, "prometheusrule.yaml"))
        .OfType<PrometheusRule>()
        .Single()
        .Spec.Groups.SelectMany(group => group.Rules)
        .ToList();

    private static readonly string DashboardJson = RepositoryFiles.Read(Component, "dashboard.json");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_production_overlay_scrapes_both_roles_on_the_port_and_path_they_serve_and_carries_the_rules_and_the_dashboard()
    {
        var yaml = await RepositoryFiles.KustomizeAsync("manifests/overlays/production", Ct);
        if (yaml is null)
        {
            Assert.Skip("kubectl (with kustomize) is not installed at /usr/bin/kubectl");
        }

        var objects = MonitoringKinds.LoadAll(yaml);
        var monitor = Assert.Single(objects.OfType<PodMonitor>());
        var rules = Assert.Single(objects.OfType<PrometheusRule>());
        Assert.Equal(Alerts.Select(a => a.Alert), rules.Spec.Groups.SelectMany(group => group.Rules).Select(rule => rule.Alert));
        var dashboard = Assert.Single(objects.OfType<V1ConfigMap>(), map => LabelOf(map.Metadata.Labels, "grafana_dashboard") == "1");
        Assert.Equal(DashboardJson, Assert.Single(dashboard.Data).Value);
        Assert.All(new IKubernetesObject<V1ObjectMeta>[] { monitor, rules, dashboard }, o => Assert.Equal("specific-jobs", o.Metadata.NamespaceProperty));

        var endpoint = Assert.Single(monitor.Spec.PodMetricsEndpoints);
        Assert.Equal(ObservabilityOptions.DefaultMetricsPath, endpoint.Path);
        var deployments = objects.OfType<V1Deployment>().ToList();
        Assert.Equal(["specific-jobs-bot", "specific-jobs-worker"], deployments.Select(d => d.Metadata.Name).Order());
        foreach (var deployment in deployments)
        {
            var pod = deployment.Spec.Template;
            Assert.True(Selects(monitor.Spec.Selector.MatchLabels, pod.Metadata.Labels), $"The PodMonitor does not select {deployment.Metadata.Name}'s pods.");

            // The port the monitor names is one the container declares and the process listens on.
            var container = pod.Spec.Containers.Single();
            var port = Assert.Single(container.Ports, p => p.Name == endpoint.Port);
            var listens = Env(container, "Bot__ManagementUrl") ?? Env(container, "Bot__Url");
            Assert.Equal(port.ContainerPort, new Uri(listens!).Port);

            // And the pod's NetworkPolicy lets Prometheus's namespace reach it.
            var policy = objects.OfType<V1NetworkPolicy>().Single(p => Selects(p.Spec.PodSelector.MatchLabels, pod.Metadata.Labels));
            Assert.Contains(policy.Spec.Ingress, rule =>
                rule.FromProperty.Any(from => LabelOf(from.NamespaceSelector?.MatchLabels, "kubernetes.io/metadata.name") == "monitoring")
                && rule.Ports.Any(p => p.Port.Value == port.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Every_alert_pages_or_warns_and_links_its_runbook_in_the_README_which_has_one_for_each_alert_and_no_other()
    {
        Assert.NotEmpty(Alerts);
        var runbooks = RunbookAnchors();
        Assert.Equal(Alerts.Select(a => Anchor(a.Alert)).Order(StringComparer.Ordinal), runbooks.Order(StringComparer.Ordinal));
        foreach (var alert in Alerts)
        {
            Assert.Contains(alert.Labels.GetValueOrDefault("severity"), Severities);
            Assert.Equal(RunbookBase + Anchor(alert.Alert), alert.Annotations.GetValueOrDefault("runbook_url"));
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Alert} has no summary.");
            Assert.NotEmpty(PromQl.Selectors(alert.Expr));
        }
    }

    [Fact]
    public void The_dashboard_shows_the_four_golden_signals_from_the_chosen_Prometheus()
    {
        using var dashboard = JsonDocument.Parse(DashboardJson);
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(
            ["Traffic", "Errors", "Latency", "Saturation"],
            panels.Where(p => p.GetProperty("type").GetString() == "row").Select(p => p.GetProperty("title").GetString()));
        Assert.All(panels.Where(p => p.GetProperty("type").GetString() != "row"), panel =>
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        });
        Assert.Equal("specific-jobs-bot", dashboard.RootElement.GetProperty("uid").GetString());
    }

    [Fact]
    public void The_expression_reader_finds_each_metric_with_its_matchers_and_skips_functions_groupings_and_durations()
    {
        var selectors = PromQl.Selectors(
            """(sum by (le, method) (rate(a_total{outcome=~"x|y", le="2"}[5m])) or on() vector(0)) / max(b_seconds) > 0.5 and c offset 5m""");

        Assert.Equal(["a_total", "b_seconds", "c"], selectors.Select(s => s.Name));
        Assert.Equal([new LabelMatcher("outcome", "=~", "x|y"), new LabelMatcher("le", "=", "2")], selectors[0].Matchers);
        Assert.Empty(selectors[1].Matchers);
    }

    /// <summary>
    /// Production's topology in small: the bot in process on Temporal and the worker role as a process of its own, on the
    /// Temporal stand-in, the cluster simulator and one SQLite store. Two jobs run (one fails), Slack answers a 429 and a
    /// 500 once, and both /readyz are asked, so every instrument records; only the front door's refusal is recorded
    /// directly (through the app's own instance), since causing it takes 1,024 requests waiting at once.
    /// </summary>
    [Fact]
    public async Task Every_metric_an_alert_or_a_dashboard_panel_reads_is_one_the_bot_or_the_worker_exports_with_the_labels_it_matches()
    {
        var used = Alerts.Select(alert => (Where: $"alert {alert.Alert}", alert.Expr))
            .Concat(DashboardExpressions().Select(panel => (Where: $"panel \"{panel.Title}\"", panel.Expr)))
            .SelectMany(expression => PromQl.Selectors(expression.Expr).Select(selector => (expression.Where, Selector: selector)))
            .ToList();
        Assert.NotEmpty(used);

        await using var temporal = await TemporalStandIn.StartAsync(new TemporalStandInOptions { Url = "http://127.0.0.1:0" }, ct: Ct);
        var scratch = Directory.CreateTempSubdirectory("monitoring-");
        try
        {
            var store = Path.Combine(scratch.FullName, "jobs.db");
            await using var bot = await OpsApp.StartAsync(
                new Dictionary<string, string?>
                {
                    ["Bot:Engine"] = "Temporal",
                    ["Temporal:Address"] = temporal.TargetHost,
                    ["Storage:SqlitePath"] = store,
                },
                withCluster: true);
            await using var worker = await WorkerProcess.StartAsync(
                new Dictionary<string, string>
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                    ["Temporal__Address"] = temporal.TargetHost,
                    ["Storage__Provider"] = "sqlite",
                    ["Storage__SqlitePath"] = store,
                    ["Kubernetes__Host"] = bot.Cluster!.BaseUrl.ToString().TrimEnd('/'),
                    ["Environments__Default"] = "production",
                    ["Environments__Targets__production__Namespace"] = "production",
                },
                Ct);

            bot.Slack.Faults.RateLimitNext(1, "chat.postMessage");
            bot.Slack.Faults.ServerErrorNext(1, "chat.postMessage");
            (await bot.SlashCommandAsync("job run web echo observed")).Dispose();
            (await bot.SlashCommandAsync("job run web exit 3")).Dispose();
            bot.Services.GetRequiredService<FrontDoorMetrics>().Refused();

            // Wait until both scrapes show everything used (the jobs end on the worker, the keeper posts after them), or 90 s.
            var (botMetrics, workerMetrics, missing) = ("", "", new List<string>());
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
            do
            {
                await bot.ReadyAsync();
                await worker.GetAsync("/readyz", Ct);
                botMetrics = await bot.MetricsAsync();
                workerMetrics = await worker.GetAsync(ObservabilityOptions.DefaultMetricsPath, Ct);
                var exported = PrometheusText.Samples(botMetrics + "\n" + workerMetrics);
                missing = used.Where(u => !Exports(exported, u.Selector)).Select(u => $"{u.Where}: {Describe(u.Selector)}").Distinct().ToList();
                if (missing.Count > 0)
                {
                    await Task.Delay(250, Ct);
                }
            }
            while (missing.Count > 0 && DateTimeOffset.UtcNow < deadline);

            Assert.True(missing.Count == 0,
                $"Read by the rules or the dashboard but exported by neither the bot nor the worker:\n{string.Join('\n', missing)}"
                + $"\n--- bot /metrics ---\n{botMetrics}\n--- worker /metrics ---\n{workerMetrics}\n--- worker output ---\n{worker.Output}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Jobs_not_yet_running_count_as_waiting_with_the_age_of_the_oldest_until_they_move_on()
    {
        await using var bot = await OpsApp.StartAsync();
        var jobs = bot.Services.GetRequiredService<IJobStore>();
        var request = new JobRequest("web", "production", "true", null, new JobOrigin("dashboard"));
        var pending = await jobs.CreateAsync(request, Ct);
        var queued = await jobs.CreateAsync(request, Ct);
        var running = await jobs.CreateAsync(request, Ct);
        await MoveAsync(jobs, queued.Id, JobState.Pending, JobState.Queued);
        await MoveAsync(jobs, running.Id, JobState.Pending, JobState.Queued);
        await MoveAsync(jobs, running.Id, JobState.Queued, JobState.Running);

        var metrics = await ScrapeUntilAsync(bot, m => OpsApp.Sample(m, "jobs_waiting") == 2, "the keeper's sweep to count the pending and the queued job");
        var oldest = OpsApp.Sample(metrics, "jobs_oldest_waiting_seconds");
        Assert.NotNull(oldest);
        Assert.InRange(oldest.Value, double.Epsilon, (DateTimeOffset.UtcNow - pending.CreatedAt).TotalSeconds);

        await MoveAsync(jobs, pending.Id, JobState.Pending, JobState.Cancelled);
        await MoveAsync(jobs, queued.Id, JobState.Queued, JobState.Cancelled);
        metrics = await ScrapeUntilAsync(bot, m => OpsApp.Sample(m, "jobs_waiting") == 0, "the keeper's sweep to find no job waiting");
        Assert.Equal(0, OpsApp.Sample(metrics, "jobs_oldest_waiting_seconds"));
    }

    [Fact]
    public async Task Each_readiness_check_is_exported_as_the_last_readyz_answer_saw_it_healthy_degraded_or_unhealthy()
    {
        await using (var bot = await OpsApp.StartAsync())
        {
            bot.Slack.Faults.RateLimitNext(1, "auth.test", retryAfterSeconds: 30);
            Assert.Equal(200, (await bot.ReadyAsync()).Status);

            var metrics = await bot.MetricsAsync();
            Assert.Equal(0.5, OpsApp.Sample(metrics, "readiness_check", "check=\"slack\""));
            Assert.Equal(1, OpsApp.Sample(metrics, "readiness_check", "check=\"store\""));
            Assert.Equal(1, OpsApp.Sample(metrics, "readiness_check", "check=\"socket_mode\""));
        }

        await using (var refused = await OpsApp.StartAsync(standInToken: "xoxb-another-workspace"))
        {
            Assert.Equal(503, (await refused.ReadyAsync()).Status);

            var metrics = await refused.MetricsAsync();
            Assert.Equal(0, OpsApp.Sample(metrics, "readiness_check", "check=\"slack\""));
            Assert.Equal(1, OpsApp.Sample(metrics, "readiness_check", "check=\"store\""));
        }
    }

    private static async Task MoveAsync(IJobStore jobs, string jobId, JobState from, JobState to) =>
        Assert.True((await jobs.TryTransitionAsync(jobId, from, new JobTransition(to, DateTimeOffset.UtcNow), Ct)).Applied, $"{jobId} did not move to {to}.");

    private static async Task<string> ScrapeUntilAsync(OpsApp bot, Func<string, bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        var metrics = await bot.MetricsAsync();
        while (!condition(metrics))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Waited 30 s for {what}:\n{metrics}");
            await Task.Delay(100, Ct);
            metrics = await bot.MetricsAsync();
        }

        return metrics;
    }

    /// <summary>A sample of the name whose labels satisfy every equality and regex matcher (negative matchers need no sample).</summary>
    private static bool Exports(ILookup<string, IReadOnlyDictionary<string, string>> exported, MetricSelector selector) =>
        exported[selector.Name].Any(labels => selector.Matchers.All(matcher => matcher.Operator switch
        {
            "=" => labels.GetValueOrDefault(matcher.Label) == matcher.Value,
            "=~" => labels.TryGetValue(matcher.Label, out var value) && Regex.IsMatch(value, $"^(?:{matcher.Value})$", RegexOptions.None, TimeSpan.FromSeconds(1)),
            _ => true,
        }));

    private static string Describe(MetricSelector selector) =>
        selector.Name + (selector.Matchers.Count == 0 ? "" : "{" + string.Join(", ", selector.Matchers.Select(m => $"{m.Label}{m.Operator}\"{m.Value}\"")) + "}");

    private static IEnumerable<(string Title, string Expr)> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(DashboardJson);
        var found = new List<(string, string)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                found.AddRange(targets.EnumerateArray().Select(target => (panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!)));
            }
        }

        return found;
    }

    /// <summary>The anchors of the runbook headings (####) in the README's "Alerts and runbooks".</summary>
    private static List<string> RunbookAnchors()
    {
        var lines = RepositoryFiles.Read("README.md").Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var start = lines.IndexOf(RunbooksHeading);
        Assert.True(start >= 0, $"README.md has no \"{RunbooksHeading}\" section.");
        return lines.Skip(start + 1)
            .TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal) && !line.StartsWith("### ", StringComparison.Ordinal))
            .Where(line => line.StartsWith("#### ", StringComparison.Ordinal))
            .Select(line => Anchor(line[5..]))
            .ToList();
    }

    /// <summary>The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string heading) =>
        new string(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(label => labels.TryGetValue(label.Key, out var value) && value == label.Value);

    private static string? LabelOf(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    private static string? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;
}
