using System.Text;
using k8s;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// Logs outlive the pod: after the simulator's TTL controller deleted a finished job's Kubernetes Job and pod, the
/// bot still shows its tail, searches it and uploads it whole, from the log store.
/// </summary>
public sealed class StoredLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_jobs_log_is_read_searched_and_uploaded_after_the_ttl_controller_removed_its_kubernetes_job()
    {
        await using var sandbox = await JobsSandbox.StartAsync();
        var job = await sandbox.SlashCommand("job run web -- for i in $(seq 1 200); do echo tick $i; done; echo ERROR boom $GREETING");
        await sandbox.WaitForState(job, "succeeded");
        await sandbox.WaitForFinalReply(job);
        var named = await JobsSandbox.Eventually(() => sandbox.KubernetesJobOf(job) is { } found ? Tuple.Create(found.Namespace, found.Name) : null,
            TimeSpan.FromSeconds(5), () => $"The message never named its Kubernetes Job.\n{sandbox.Describe(job)}");
        var (ns, name) = (named.Item1, named.Item2);
        using var kubernetes = (Kubernetes)sandbox.KubernetesClient();
        Assert.False(await IsGoneAsync(kubernetes, ns, name), $"{ns}/{name} is gone before its TTL.");

        // ttlSecondsAfterFinished is 3600: an hour and a minute later the TTL controller has deleted the Job and its pod.
        sandbox.Cluster.Clock.Advance(TimeSpan.FromMinutes(61));
        await JobsSandbox.Eventually(async () => await IsGoneAsync(kubernetes, ns, name) ? "gone" : null, TimeSpan.FromSeconds(15),
            () => $"The TTL controller did not remove {ns}/{name}.\n{sandbox.Describe(job)}");

        var tail = await sandbox.EphemeralAnswerTo($"job logs {job.Id}");
        Assert.Contains("lines 172–201 of 201", tail.VisibleText, StringComparison.Ordinal);
        Assert.Contains("tick 200", tail.VisibleText, StringComparison.Ordinal);
        Assert.Contains("ERROR boom hello-from-web", tail.VisibleText, StringComparison.Ordinal);
        Assert.DoesNotContain("tick 171\n", tail.VisibleText, StringComparison.Ordinal);

        var grep = await sandbox.EphemeralAnswerTo($"job logs {job.Id} --grep \"TICK 15\"");
        Assert.Contains("11 lines contain `TICK 15`", grep.VisibleText, StringComparison.Ordinal);
        Assert.Contains(" 15  tick 15\n150  tick 150", grep.VisibleText, StringComparison.Ordinal);
        Assert.Contains("159  tick 159", grep.VisibleText, StringComparison.Ordinal);

        var filesBefore = FilesIn(sandbox, job).Count;
        await sandbox.ClickFullLog(job);
        var file = await JobsSandbox.Eventually(() => FilesIn(sandbox, job).Skip(filesBefore).FirstOrDefault(), TimeSpan.FromSeconds(10),
            () => $"Full log uploaded no file into the thread.\n{sandbox.Describe(job)}");
        var lines = Encoding.UTF8.GetString(file.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(201, lines.Length);
        Assert.EndsWith(" tick 1", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" ERROR boom hello-from-web", lines[^1], StringComparison.Ordinal);

        var asked = await sandbox.EphemeralAnswerTo($"job logs {job.Id} --file");
        Assert.Contains("Uploading the whole log", asked.VisibleText, StringComparison.Ordinal);
        await JobsSandbox.Eventually(() => FilesIn(sandbox, job).Count > filesBefore + 1 ? "uploaded" : null, TimeSpan.FromSeconds(10),
            () => $"job logs --file uploaded no file into the thread.\n{sandbox.Describe(job)}");
    }

    private static List<Specific.Sandbox.SlackStandIn.StandInFile> FilesIn(JobsSandbox sandbox, JobHandle job) =>
        sandbox.ThreadOf(job).SelectMany(reply => reply.Files).ToList();

    private static async Task<bool> IsGoneAsync(Kubernetes kubernetes, string ns, string name)
    {
        var pods = await kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={name}", cancellationToken: Ct);
        try
        {
            await kubernetes.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: Ct);
            return false;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return pods.Items.Count == 0;
        }
    }
}
