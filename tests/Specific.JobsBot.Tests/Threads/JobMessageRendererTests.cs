using Specific.Jobs.Domain;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Threads;

public sealed class JobMessageRendererTests
{
    private readonly JobMessageRenderer _renderer = new();

    private SlackMessage Render(JobRecord job, DateTimeOffset now) => _renderer.Render(job, now);

    [Fact]
    public void Pending_job_shows_when_it_was_created_and_a_cancel_button() =>
        GoldenFile.Verify("message_pending", Render(JobFixtures.Pending(), JobFixtures.Created.AddSeconds(3)));

    [Fact]
    public void Queued_job_says_queued_3_seconds_ago() =>
        GoldenFile.Verify("message_queued", Render(JobFixtures.Queued(), JobFixtures.Created.AddSeconds(4)));

    [Fact]
    public void Running_job_shows_its_kubernetes_job_notes_and_cancel() =>
        GoldenFile.Verify("message_running", Render(JobFixtures.Running(), JobFixtures.Created.AddSeconds(4 + 120)));

    [Fact]
    public void Succeeded_job_says_how_long_it_ran_and_offers_rerun_and_full_log() =>
        GoldenFile.Verify("message_succeeded", Render(JobFixtures.Succeeded(), JobFixtures.Created.AddHours(2)));

    [Fact]
    public void Failed_job_shows_its_exit_code() =>
        GoldenFile.Verify("message_failed_exit_code", Render(JobFixtures.FailedWithExitCode(), JobFixtures.Created.AddHours(1)));

    [Fact]
    public void Job_that_never_ran_shows_the_reason_it_failed() =>
        GoldenFile.Verify("message_failed_not_deployed", Render(JobFixtures.FailedBeforeRunning(), JobFixtures.Created.AddMinutes(1)));

    [Fact]
    public void Job_of_a_saved_task_names_the_task_beside_its_command() =>
        GoldenFile.Verify(
            "message_saved_task",
            Render(JobFixtures.Running() with { Task = "cache-clear", Command = "echo \"purging $GREETING\"; echo cleared", Timeout = TimeSpan.FromMinutes(5) },
                JobFixtures.Created.AddSeconds(64)));

    [Fact]
    public void Cancelled_job_says_who_cancelled_it() =>
        GoldenFile.Verify("message_cancelled", Render(JobFixtures.Cancelled(), JobFixtures.Created.AddHours(3)));

    [Fact]
    public void Command_with_backticks_quotes_and_unicode_is_shown_verbatim()
    {
        var command = "psql \"$DATABASE_URL\" -c 'select 1' | grep -v '```' && echo \"done ✓ 🚀\" > /tmp/out <<EOF\nline & more\nEOF";
        var job = JobFixtures.Running() with { Command = command, Name = null };

        var message = Render(job, JobFixtures.Created.AddSeconds(30));

        GoldenFile.Verify("message_command_verbatim", message);
        var code = Assert.IsType<RichTextBlock>(message.Blocks!.Single(b => b.BlockId == "job_command"));
        Assert.Equal(command, Assert.IsType<RichTextText>(code.Elements[1].Elements[0]).Text);
    }

    [Fact]
    public void Very_long_command_is_cut_with_a_note_and_stays_within_limits()
    {
        var command = string.Concat(Enumerable.Repeat("echo '```' && printf 'x%.0s' {1..100} ; ", 500));
        var job = JobFixtures.Running() with { Command = command };

        var message = Render(job, JobFixtures.Created.AddSeconds(30));

        GoldenFile.Verify("message_long_command", message);
        var note = Assert.IsType<ContextBlock>(message.Blocks!.Single(b => b.BlockId == "job_command_note"));
        Assert.Contains($"of {SlackText.Count(command.Length)} characters", note.Elements[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_long_notes_and_a_long_name_and_reason_stay_within_limits()
    {
        var job = JobFixtures.FailedWithExitCode() with
        {
            Name = new string('n', 400),
            FailureReason = string.Concat(Enumerable.Repeat("<oops> & ", 1000)),
            Notes = Enumerable.Range(1, 30).Select(i => $"sidecar `proxy-{i}` not replicated " + new string('.', 400)).ToList(),
        };

        GoldenFile.Verify("message_many_notes", Render(job, JobFixtures.Created.AddHours(1)));
    }

    [Fact]
    public void Dashboard_job_names_the_client_instead_of_a_mention()
    {
        var job = JobFixtures.Queued() with { Origin = new JobOrigin("dashboard"), RerunOf = "j-previous" };
        GoldenFile.Verify("message_dashboard_rerun", Render(job, JobFixtures.Created.AddMinutes(5)));
    }

    [Theory]
    [InlineData(JobState.Pending, true, true, false)]
    [InlineData(JobState.Queued, true, true, false)]
    [InlineData(JobState.Running, true, true, false)]
    [InlineData(JobState.Succeeded, false, true, true)]
    [InlineData(JobState.Failed, false, true, true)]
    [InlineData(JobState.Cancelled, false, true, true)]
    public void Cancel_shows_until_the_job_ends_rerun_always_and_full_log_once_ended(
        JobState state, bool cancel, bool rerun, bool fullLog)
    {
        var job = JobFixtures.Running() with { State = state, FinishedAt = state.IsFinal() ? JobFixtures.Created.AddMinutes(1) : null };

        var actions = Assert.IsType<ActionsBlock>(Render(job, JobFixtures.Created.AddMinutes(2)).Blocks!.Single(b => b.BlockId == JobMessageRenderer.ActionsBlockId));
        var buttons = actions.Elements.Cast<ButtonElement>().ToDictionary(b => b.ActionId);

        Assert.Equal(cancel, buttons.ContainsKey(JobMessageActions.Cancel));
        Assert.Equal(rerun, buttons.ContainsKey(JobMessageActions.Rerun));
        Assert.Equal(fullLog, buttons.ContainsKey(JobMessageActions.FullLog));
        Assert.All(buttons.Values, button => Assert.Equal(job.Id, button.Value));
        if (cancel)
        {
            Assert.Equal(ButtonStyle.Danger, buttons[JobMessageActions.Cancel].Style);
            Assert.NotNull(buttons[JobMessageActions.Cancel].Confirm);
        }
    }

    [Theory]
    [InlineData(JobState.Pending, "10 minutes")]
    [InlineData(JobState.Queued, "10 minutes")]
    [InlineData(JobState.Running, "10 minutes")]
    [InlineData(JobState.Succeeded, null)]
    [InlineData(JobState.Failed, null)]
    [InlineData(JobState.Cancelled, null)]
    public void The_time_limit_shows_until_the_job_ends(JobState state, string? shown)
    {
        var job = JobFixtures.Running() with { State = state, FinishedAt = state.IsFinal() ? JobFixtures.Created.AddMinutes(1) : null };

        Assert.Equal(shown, JobMessage.From(job, JobFixtures.Created.AddMinutes(2)).TimeLimit);
        var fields = Assert.IsType<SectionBlock>(Render(job, JobFixtures.Created.AddMinutes(2)).Blocks![1]).Fields!;
        Assert.Equal(shown is not null, fields.Any(f => f.Text == "*Time limit*\n10 minutes"));
    }

    [Fact]
    public void A_job_recorded_without_a_time_limit_shows_none()
    {
        var job = JobFixtures.Running() with { Timeout = null };

        Assert.Null(JobMessage.From(job, JobFixtures.Created.AddMinutes(2)).TimeLimit);
        Assert.Equal(4, Assert.IsType<SectionBlock>(Render(job, JobFixtures.Created.AddMinutes(2)).Blocks![1]).Fields!.Count);
    }

    [Fact]
    public void Durations_are_humanized()
    {
        Assert.Equal("queued 3 seconds ago", JobMessage.DescribeTiming(JobFixtures.Queued(), JobFixtures.Created.AddSeconds(4)));
        Assert.Equal("running for 2 minutes", JobMessage.DescribeTiming(JobFixtures.Running(), JobFixtures.Created.AddSeconds(4 + 120)));
        Assert.Equal("ran for 2 minutes, 5 seconds", JobMessage.DescribeTiming(JobFixtures.Succeeded(), JobFixtures.Created.AddDays(1)));
        Assert.Equal("failed after 2 seconds", JobMessage.DescribeTiming(JobFixtures.FailedBeforeRunning(), JobFixtures.Created.AddDays(1)));
        Assert.Equal("running for less than a second", JobMessage.DescribeTiming(JobFixtures.Running(), JobFixtures.Running().RunningAt!.Value.AddMilliseconds(400)));
        Assert.Equal("ran for 1 hour, 5 minutes", JobMessage.DescribeTiming(JobFixtures.Cancelled(), JobFixtures.Created.AddDays(1)));
    }
}
