using Microsoft.Extensions.DependencyInjection;
using Specific.Jobs.Domain;
using Specific.Jobs.Observability;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>A real job through the bot (in-process engine, cluster simulator, Slack stand-in) shows up in /metrics and in the logs.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ObservabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_run_is_counted_by_final_state_its_acknowledgement_is_timed_and_its_log_lines_carry_the_job_id()
    {
        await using var bot = await OpsApp.StartAsync(withCluster: true);
        var before = await bot.MetricsAsync();
        Assert.Null(OpsApp.Sample(before, "jobs_finished_total", "state=\"succeeded\""));
        Assert.Null(OpsApp.Sample(before, "jobs_recorded_total", "environment=\"production\""));

        using var answer = await bot.SlashCommandAsync("job run web echo observed");
        Assert.Equal(200, (int)answer.StatusCode);
        var job = await FinishedJobAsync(bot);

        Assert.Equal(JobState.Succeeded, job.State);
        // The store shows the final state a moment before the wrapper around it counts it: scrape until it is counted.
        var metrics = await bot.MetricsAsync();
        for (var scrape = 0; scrape < 50 && OpsApp.Sample(metrics, "jobs_finished_total", "state=\"succeeded\"") is null; scrape++)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            metrics = await bot.MetricsAsync();
        }

        Assert.True(OpsApp.Sample(metrics, "jobs_finished_total", "state=\"succeeded\"") >= 1, "jobs.finished did not count the succeeded job:\n" + metrics);
        Assert.Equal(1, OpsApp.Sample(metrics, "jobs_recorded_total", "environment=\"production\""));
        Assert.True(OpsApp.Sample(metrics, "slack_ack_duration_seconds_count", "kind=\"command\"", "status=\"200\"") >= 1,
            "slack.ack.duration did not record the command's acknowledgement:\n" + metrics);
        Assert.NotNull(OpsApp.Sample(metrics, "jobs_running"));

        // The flow, the thread keeper and the front door each wrote while working on this job, inside its scope.
        await FrontDoorAppEventually(() => bot.Logs.Entries.Any(e => e.Category.EndsWith(".ThreadKeeper", StringComparison.Ordinal) && HasJobId(e, job.Id)),
            "a thread keeper entry with the job id");
        var scoped = bot.Logs.Entries.Where(entry => HasJobId(entry, job.Id)).Select(entry => entry.Category).ToHashSet();
        Assert.Contains("Specific.Jobs.Flow.JobActivities", scoped);
        Assert.Contains("Specific.JobsBot.Threads.ThreadKeeper", scoped);
        Assert.Contains("Specific.JobsBot.Runs.JobStarter", scoped);
    }

    [Fact]
    public void Jobs_running_counts_each_followed_command_once_until_its_follow_ends()
    {
        using var metrics = new JobMetrics();
        var first = metrics.TrackRunning();
        using var second = metrics.TrackRunning();
        Assert.Equal(2, metrics.Running);

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, metrics.Running);
    }

    private static bool HasJobId(CapturedEntry entry, string jobId) =>
        entry.Scopes.TryGetValue(JobLogScope.JobIdProperty, out var value) && Equals(value, jobId);

    private static async Task<JobRecord> FinishedJobAsync(OpsApp bot)
    {
        var jobs = bot.Services.GetRequiredService<IJobStore>();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var recent = await jobs.ListAsync(new JobQuery(Limit: 5), Ct);
            if (recent.FirstOrDefault(job => job.State.IsFinal()) is { } done)
            {
                return done;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail("No job reached a final state within 60 s.");
        return null!;
    }

    private static Task FrontDoorAppEventually(Func<bool> condition, string what) =>
        Specific.JobsBot.Tests.Commands.Host.FrontDoorApp.EventuallyAsync(condition, what, TimeSpan.FromSeconds(30));
}
