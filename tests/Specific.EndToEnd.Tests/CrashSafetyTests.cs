using System.Text.RegularExpressions;
using k8s;
using Specific.EndToEnd.Tests.Host;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// The bot SIGKILLed at the moments issue 17 names, then started again: an acknowledged cancel still cancels, and no
/// command runs twice, whatever happened to its Kubernetes Job while the bot was down.
/// </summary>
public sealed class CrashSafetyTests
{
    private const string Ticking = "job run web for i in $(seq 1 40); do echo tick-$i; sleep 0.3; done";

    /// <summary>The same in staging, which the sandbox's example policy opens to everyone without a confirmation.</summary>
    private const string StagingTicking = "job run worker --env staging for i in $(seq 1 40); do echo tick-$i; sleep 0.3; done";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(SandboxEngine.InProcess)]
    [InlineData(SandboxEngine.Temporal)]
    public async Task Cancel_acknowledged_then_bot_killed_ends_cancelled_after_restart_and_the_command_never_runs_again(SandboxEngine engine)
    {
        await using var sandbox = await JobsSandbox.StartAsync(engine: engine);
        var job = await sandbox.SlashCommand(Ticking);
        await WaitForOutputAsync(sandbox, job);

        var answer = await sandbox.EphemeralAnswerTo($"job cancel {job.Id}");
        // Killed as soon as the person has read "Cancelling": whatever the old process got to is all it did.
        await sandbox.KillBot();
        Assert.StartsWith($"Cancelling job `{job.Id}`", answer.VisibleText, StringComparison.Ordinal);
        await sandbox.RestartBot();

        await sandbox.WaitForState(job, "cancelled", TimeSpan.FromSeconds(30));
        await WaitForNoKubernetesJobAsync(sandbox, job);
        await AssertTheCommandRanOnceAsync(sandbox, job);
    }

    // --sandbox keeps its workflows in the Temporal stand-in inside the same process: a kill takes them, and the cluster's
    // Jobs, with it. The start-up sweep then finds no workflow to cancel; the recovery that starts one again must cancel it.
    [Fact]
    public async Task Sandbox_killed_right_after_an_acknowledged_cancel_ends_the_job_cancelled_after_restart_and_never_runs_it_again()
    {
        await using var sandbox = await SandboxProcess.StartAsync();
        await sandbox.TypeAsync(StagingTicking);
        var jobId = await sandbox.NewestJobIdAsync();
        // Stored, not only printed: the kill takes the cluster with it, so lines the follow had not stored yet are gone.
        await JobsSandbox.Eventually(
            async () => (await sandbox.CommandAsync($"job logs {jobId}")).Contains("tick-2", StringComparison.Ordinal) ? "" : null,
            TimeSpan.FromSeconds(20), () => $"Job {jobId} stored no ticks.\n{sandbox.Process.RecentOutput}");

        var answer = await sandbox.CommandAsync($"job cancel {jobId}");
        await sandbox.KillAsync();
        Assert.Contains($"Cancelling job `{jobId}`", answer, StringComparison.Ordinal);
        await sandbox.RestartAsync();

        await JobsSandbox.Eventually(
            async () => await sandbox.WorkflowStatusAsync(jobId) is "Canceled" ? "" : null,
            TimeSpan.FromSeconds(30),
            () => $"The restarted sandbox did not cancel the workflow of {jobId}.\n{sandbox.Process.RecentOutput}");
        var list = await sandbox.CommandAsync("job list worker");
        var row = list.Split('\n').FirstOrDefault(line => line.Contains(jobId, StringComparison.Ordinal)) ?? "";
        Assert.True(row.Contains("cancelled", StringComparison.OrdinalIgnoreCase) && !row.Contains("failed", StringComparison.OrdinalIgnoreCase),
            $"job list should show {jobId} cancelled:\n{list}\n{sandbox.Process.RecentOutput}");
        // The restarted cluster never got a Job of it: the command did not start again.
        var jobs = await sandbox.KubernetesClient().BatchV1.ListNamespacedJobAsync(
            "staging", labelSelector: JobLabels.SelectorFor(jobId), cancellationToken: Ct);
        Assert.Empty(jobs.Items);
        var firstLines = await sandbox.CommandAsync($"job logs {jobId} --grep tick-1");
        Assert.True(Regex.Matches(firstLines, @"^\s*\d+\s+tick-1\s*$", RegexOptions.Multiline).Count == 1,
            $"The log of {jobId} should hold tick-1 once:\n{firstLines}");
    }

    // The in-process engine's resume: on Temporal the worker, not the bot, follows the job (see TemporalEngineTests).
    [Fact]
    public async Task Bot_killed_mid_run_whose_kubernetes_job_is_gone_on_restart_ends_failed_and_never_runs_the_command_again()
    {
        await using var sandbox = await JobsSandbox.StartAsync(engine: SandboxEngine.InProcess);
        var job = await sandbox.SlashCommand(Ticking);
        await WaitForOutputAsync(sandbox, job);

        await sandbox.KillBot();
        // While the bot is down the Job goes, as it does when --sandbox's in-process cluster dies with the bot.
        var (ns, name) = sandbox.KubernetesJobOf(job) ?? throw new InvalidOperationException($"No Kubernetes Job named.\n{sandbox.Describe(job)}");
        await sandbox.KubernetesClient().BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: Ct);
        await WaitForNoKubernetesJobAsync(sandbox, job);
        await sandbox.RestartBot();

        var message = await sandbox.WaitForState(job, "failed", TimeSpan.FromSeconds(30));
        Assert.Contains($"`{ns}/{name}` was gone", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("not started again", message.VisibleText, StringComparison.Ordinal);
        Assert.Empty(await KubernetesJobsOfAsync(sandbox, job));
        await AssertTheCommandRanOnceAsync(sandbox, job);
    }

    /// <summary>Waits until the job runs and its first output reached the thread: the command is surely under way.</summary>
    private static Task WaitForOutputAsync(JobsSandbox sandbox, JobHandle job) =>
        JobsSandbox.Eventually(() => sandbox.StateOf(job) == "running"
                ? sandbox.ThreadOf(job).FirstOrDefault(r => ThreadStory.Ticks(r.VisibleText).Count > 0) : null,
            TimeSpan.FromSeconds(15), () => $"No output reached the running job's thread.\n{sandbox.Describe(job)}");

    private static async Task<IReadOnlyList<string>> KubernetesJobsOfAsync(JobsSandbox sandbox, JobHandle job)
    {
        var found = await sandbox.KubernetesClient().BatchV1.ListNamespacedJobAsync(
            "production", labelSelector: JobLabels.SelectorFor(job.Id), cancellationToken: Ct);
        return found.Items.Select(item => item.Metadata.Name).ToList();
    }

    private static Task WaitForNoKubernetesJobAsync(JobsSandbox sandbox, JobHandle job) =>
        JobsSandbox.Eventually(
            async () => (await KubernetesJobsOfAsync(sandbox, job)).Count == 0 ? "" : null,
            TimeSpan.FromSeconds(15),
            () => $"The Kubernetes Job of {job.Id} is still there.\n{sandbox.Describe(job)}");

    /// <summary>The stored log holds one <c>tick-1</c> and climbs from there: the command never started over.</summary>
    private static async Task AssertTheCommandRanOnceAsync(JobsSandbox sandbox, JobHandle job)
    {
        var firstLines = await sandbox.EphemeralAnswerTo($"job logs {job.Id} --grep tick-1");
        var tail = await sandbox.EphemeralAnswerTo($"job logs {job.Id}");

        var ticks = ThreadStory.Ticks(tail.VisibleText);
        // Each match is shown as "<line number>  <text>"; the heading quotes the search, so count whole lines only.
        Assert.True(Regex.Matches(firstLines.VisibleText, @"^\s*\d+\s+tick-1\s*$", RegexOptions.Multiline).Count == 1,
            $"The log of {job.Id} should hold tick-1 once:\n{firstLines.VisibleText}\n{sandbox.Describe(job)}");
        Assert.True(ticks.Count > 0 && ticks.SequenceEqual(Enumerable.Range(ticks[0], ticks.Count)),
            $"The log of {job.Id} starts over or skips: {string.Join(",", ticks)}\n{sandbox.Describe(job)}");
    }
}
