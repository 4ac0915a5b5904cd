using k8s;
using k8s.Autorest;
using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>A person runs jobs from Slack against the sandbox cluster, with the bot as a separate process, all over HTTP.</summary>
public sealed class JobThreadTests
{
    [Fact]
    public async Task Echo_of_the_services_greeting_succeeds_with_its_output_in_the_thread_under_one_message()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web echo $GREETING");
        var message = await sandbox.WaitForState(job, "succeeded");
        var thread = await sandbox.WaitForFinalReply(job);

        Assert.True(thread.Any(r => r.VisibleText.Contains("hello-from-web", StringComparison.Ordinal)), $"hello-from-web is not in the thread.\n{sandbox.Describe(job)}");
        Assert.Contains("Succeeded", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("exit code `0`", thread[^1].Text, StringComparison.Ordinal);
        Assert.True(sandbox.BotMessagesInChannel().Count == 1, $"Expected one message for one job.\n{sandbox.Describe(job)}");
        Assert.DoesNotContain("Cancel", ButtonsOf(message));
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    [Fact]
    public async Task A_command_that_exits_3_ends_as_failed_and_shows_exit_code_3()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web exit 3");
        var message = await sandbox.WaitForState(job, "failed");
        var thread = await sandbox.WaitForFinalReply(job);

        Assert.True(message.Text.Contains("exit code 3", StringComparison.Ordinal), $"The message's text does not give exit code 3.\n{sandbox.Describe(job)}");
        Assert.True(message.VisibleText.Contains("Failed with exit code* `3`", StringComparison.Ordinal), $"The message does not show exit code 3.\n{sandbox.Describe(job)}");
        Assert.True(thread[^1].Text.Contains("*Failed* with exit code `3`", StringComparison.Ordinal), $"The final reply does not give exit code 3.\n{sandbox.Describe(job)}");
        Assert.Single(sandbox.BotMessagesInChannel());
    }

    [Fact]
    public async Task Cancel_on_the_job_message_ends_the_job_as_cancelled_and_deletes_its_Kubernetes_Job()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web sleep 30");
        await sandbox.WaitForState(job, "running");
        var kubernetesJob = await JobsSandbox.Eventually(() => sandbox.KubernetesJobOf(job) is { } named ? Tuple.Create(named.Namespace, named.Name) : null,
            TimeSpan.FromSeconds(10), () => $"The message never named its Kubernetes Job.\n{sandbox.Describe(job)}");
        using var kubernetes = (Kubernetes)sandbox.KubernetesClient();
        var created = await kubernetes.BatchV1.ReadNamespacedJobAsync(kubernetesJob.Item2, kubernetesJob.Item1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(created.Status?.CompletionTime);

        await sandbox.ClickCancel(job);
        var message = await sandbox.WaitForState(job, "cancelled", TimeSpan.FromSeconds(15));
        await sandbox.WaitForFinalReply(job);

        Assert.Contains("Cancelled", message.VisibleText, StringComparison.Ordinal);
        Assert.DoesNotContain("Cancel", ButtonsOf(message));
        await JobsSandbox.Eventually(async () => await IsGoneAsync(kubernetes, kubernetesJob.Item1, kubernetesJob.Item2) ? "gone" : null,
            TimeSpan.FromSeconds(10), () => $"Kubernetes Job {kubernetesJob.Item1}/{kubernetesJob.Item2} or its pods still exist after the cancel.\n{sandbox.Describe(job)}");
    }

    [Fact]
    public async Task A_job_past_its_time_limit_ends_failed_as_timed_out_and_its_pod_is_gone()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run web --timeout 2s sleep 60");
        var message = await sandbox.WaitForState(job, "failed", TimeSpan.FromSeconds(30));
        var thread = await sandbox.WaitForFinalReply(job);

        Assert.True(message.VisibleText.Contains("timed out after 2 seconds", StringComparison.Ordinal), $"The message does not say the job timed out.\n{sandbox.Describe(job)}");
        Assert.True(thread[^1].VisibleText.Contains("timed out after 2 seconds", StringComparison.Ordinal), $"The final reply does not say the job timed out.\n{sandbox.Describe(job)}");
        var kubernetesJob = sandbox.KubernetesJobOf(job);
        Assert.True(kubernetesJob is not null, $"The message never named its Kubernetes Job.\n{sandbox.Describe(job)}");
        var (ns, name) = kubernetesJob.Value;
        using var kubernetes = (Kubernetes)sandbox.KubernetesClient();
        // The flow deletes a Job that ended without an exit code, so neither it nor its pod is left running.
        await JobsSandbox.Eventually(async () => await IsGoneAsync(kubernetes, ns, name) ? "gone" : null,
            TimeSpan.FromSeconds(15), () => $"Kubernetes Job {ns}/{name} or its pod still exists after the job timed out.\n{sandbox.Describe(job)}");
    }

    [Fact]
    public async Task Rerun_opens_the_modal_filled_with_name_and_command_and_submitting_it_starts_a_new_job_that_succeeds()
    {
        await using var sandbox = await JobsSandbox.StartAsync();
        var first = await sandbox.SlashCommand("job run web --name greet echo $GREETING");
        await sandbox.WaitForState(first, "succeeded");
        var firstThread = await sandbox.WaitForFinalReply(first);
        Assert.True(firstThread.Any(r => r.VisibleText.Contains("hello-from-web", StringComparison.Ordinal)), $"hello-from-web is not in the first job's thread.\n{sandbox.Describe(first)}");

        var modal = await sandbox.ClickRerun(first);
        var filledIn = JobsSandbox.FilledIn(modal);
        Assert.Equal("greet", filledIn["job_name"].Values.Single());
        Assert.Equal("echo $GREETING", filledIn["job_command"].Values.Single());
        Assert.Equal("web", filledIn.Single(f => f.Key.StartsWith("job_service", StringComparison.Ordinal)).Value.Values.Single());
        Assert.Equal("production", filledIn["job_environment"].Values.Single());
        // The first job got production's default limit (an hour), and the form repeats it.
        Assert.Equal("1h", filledIn["job_timeout"].Values.Single());

        var second = await sandbox.SubmitModal(modal);
        await sandbox.WaitForState(second, "succeeded");
        var thread = await sandbox.WaitForFinalReply(second);

        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.Ts, second.Ts);
        Assert.True(thread.Any(r => r.VisibleText.Contains("hello-from-web", StringComparison.Ordinal)), $"hello-from-web is not in the re-run's thread.\n{sandbox.Describe(second)}");
        Assert.Equal(2, sandbox.BotMessagesInChannel().Count);
        Assert.Equal("succeeded", sandbox.StateOf(first));
    }

    [Theory]
    [InlineData("job run web", "command")]
    [InlineData("job run web --env nowhere echo hi", "nowhere")]
    [InlineData("job launch web echo hi", "launch")]
    [InlineData("job run --name", "")]
    public async Task A_malformed_command_gets_an_ephemeral_error_with_usage_creates_no_job_and_is_acknowledged_in_time(string text, string mentioned)
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var answer = await sandbox.EphemeralAnswerTo(text);

        Assert.Contains("Usage", answer.VisibleText, StringComparison.Ordinal);
        Assert.Contains("/specific job run <service>", answer.VisibleText, StringComparison.Ordinal);
        Assert.Contains(mentioned, answer.VisibleText, StringComparison.OrdinalIgnoreCase);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Empty(sandbox.BotMessagesInChannel());
        using var kubernetes = (Kubernetes)sandbox.KubernetesClient();
        var jobs = await kubernetes.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(jobs.Items);
        var list = await sandbox.EphemeralAnswerTo("job list");
        Assert.Contains("No jobs", list.VisibleText, StringComparison.Ordinal);
        Assert.Empty(sandbox.Slack.DeadlineMisses);
    }

    private static IReadOnlyList<string> ButtonsOf(Specific.Sandbox.SlackStandIn.StandInMessage message) =>
        message.Blocks is { } blocks
            ? blocks.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
                .SelectMany(b => b.GetProperty("elements").EnumerateArray())
                .Select(e => e.GetProperty("text").GetProperty("text").GetString()!).ToList()
            : [];

    private static async Task<bool> IsGoneAsync(Kubernetes kubernetes, string ns, string name)
    {
        var pods = await kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={name}", cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            await kubernetes.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: TestContext.Current.CancellationToken);
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return pods.Items.Count == 0;
        }
    }
}
