using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Threads;

public sealed class ThreadReplyRendererTests
{
    private readonly ThreadReplyRenderer _renderer = new();

    private static List<LogLine> Lines(long from, long to, Func<long, string>? text = null) =>
        Enumerable.Range((int)from, (int)(to - from + 1))
            .Select(n => new LogLine(n, JobFixtures.Created.AddSeconds(n), LogStream.Output, text?.Invoke(n) ?? $"processed batch {n}"))
            .ToList();

    [Fact]
    public void Running_reply_names_the_kubernetes_job() =>
        GoldenFile.Verify("reply_running", _renderer.StateChanged(JobFixtures.Running(), JobState.Running));

    [Fact]
    public void Queued_reply_is_short() =>
        GoldenFile.Verify("reply_queued", _renderer.StateChanged(JobFixtures.Queued(), JobState.Queued));

    [Fact]
    public void A_few_lines_are_one_excerpt_with_nothing_skipped()
    {
        var excerpt = LogExcerpt.Fit(Lines(1, 5), 0, ThreadReplyRenderer.ExcerptCharacters);

        Assert.Equal(1, excerpt.FirstShown);
        Assert.Equal(5, excerpt.LastNumber);
        Assert.Equal(0, excerpt.SkippedBefore);
        GoldenFile.Verify("reply_excerpt", _renderer.LogExcerpt(excerpt));
    }

    [Fact]
    public void When_output_floods_the_newest_lines_win_and_the_skipped_are_counted()
    {
        // 5,000 lines arrived at once; the keeper read only the last 500 (4,500 never read) and fewer fit.
        var excerpt = LogExcerpt.Fit(Lines(4501, 5000), alreadySkipped: 4500, ThreadReplyRenderer.ExcerptCharacters);

        Assert.Equal(5000, excerpt.LastNumber);
        Assert.True(excerpt.FirstShown > 4501);
        Assert.Equal(excerpt.FirstShown - 1, excerpt.SkippedBefore);
        Assert.EndsWith("processed batch 5000", excerpt.Text, StringComparison.Ordinal);
        Assert.True(excerpt.Text.Length <= ThreadReplyRenderer.ExcerptCharacters);
        var message = _renderer.LogExcerpt(excerpt);
        GoldenFile.Verify("reply_excerpt_flood", message);
        Assert.Contains($"… {SlackText.Count(excerpt.SkippedBefore)} earlier lines skipped", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_lines_colour_codes_and_code_fences_cannot_break_an_excerpt()
    {
        var lines = Lines(1, 4, n => n switch
        {
            1 => "\u001b[31merror\u001b[0m: something red",
            2 => "```not a fence```",
            3 => new string('x', 50_000),
            _ => "tail \u0007bell",
        });

        var excerpt = LogExcerpt.Fit(lines, 0, ThreadReplyRenderer.ExcerptCharacters);

        GoldenFile.Verify("reply_excerpt_hostile_lines", _renderer.LogExcerpt(excerpt));
        Assert.StartsWith("error: something red\n```not a fence```\nxxx", excerpt.Text, StringComparison.Ordinal);
        Assert.EndsWith("…\ntail bell", excerpt.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_excerpt_counts_the_lines_it_shows_cut_and_shows_a_log_whole_only_when_none_is()
    {
        var cut = LogExcerpt.Fit(Lines(1, 3, n => n == 2 ? new string('x', LogExcerpt.MaxLineLength + 1) : $"step {n}"), 0, ThreadReplyRenderer.ExcerptCharacters);
        var whole = LogExcerpt.Fit(Lines(1, 3, n => n == 2 ? new string('x', LogExcerpt.MaxLineLength) : $"step {n}"), 0, ThreadReplyRenderer.ExcerptCharacters);

        Assert.Equal(1, cut.CutLines);
        Assert.False(cut.ShowsAllOf(3));
        Assert.Equal(0, whole.CutLines);
        Assert.True(whole.ShowsAllOf(3));
        Assert.False(whole.ShowsAllOf(4));
    }

    [Fact]
    public void Final_reply_for_success_has_exit_code_and_tail()
    {
        var tail = LogExcerpt.Fit(Lines(1, 3, n => n == 3 ? "hello-from-web" : $"step {n}"), 0, ThreadReplyRenderer.ExcerptCharacters);
        GoldenFile.Verify("reply_final_succeeded", _renderer.Final(JobFixtures.Succeeded(), tail, 3, fullLogFollows: false, JobFixtures.Created.AddHours(1)));
    }

    [Fact]
    public void Final_reply_for_failure_after_flood_says_the_full_log_follows()
    {
        var tail = LogExcerpt.Fit(Lines(12_321, 12_345), 0, ThreadReplyRenderer.ExcerptCharacters);
        GoldenFile.Verify("reply_final_failed_full_log", _renderer.Final(JobFixtures.FailedWithExitCode(), tail, 12_345, fullLogFollows: true, JobFixtures.Created.AddHours(1)));
    }

    [Fact]
    public void Final_reply_for_a_job_that_never_ran_gives_the_reason_and_no_output()
    {
        var tail = LogExcerpt.Fit([], 0, ThreadReplyRenderer.ExcerptCharacters);
        GoldenFile.Verify("reply_final_not_deployed", _renderer.Final(JobFixtures.FailedBeforeRunning(), tail, 0, fullLogFollows: false, JobFixtures.Created.AddHours(1)));
    }

    [Fact]
    public void Final_reply_for_cancellation() =>
        GoldenFile.Verify("reply_final_cancelled", _renderer.Final(
            JobFixtures.Cancelled(), LogExcerpt.Fit(Lines(1, 2), 0, ThreadReplyRenderer.ExcerptCharacters), 2, false, JobFixtures.Created.AddHours(3)));

    [Fact]
    public void Final_reply_mentions_only_a_slack_requester_whose_id_has_slacks_shape()
    {
        var tail = LogExcerpt.Fit(Lines(1, 1), 0, ThreadReplyRenderer.ExcerptCharacters);
        string Headline(JobRecord job) => _renderer.Final(job, tail, 1, false, JobFixtures.Created.AddHours(1)).Text!;

        Assert.StartsWith("<@U2147483697> ✅", Headline(JobFixtures.Succeeded()), StringComparison.Ordinal);
        Assert.StartsWith("✅", Headline(JobFixtures.Succeeded() with { Origin = new JobOrigin("dashboard", UserId: "U2147483697") }), StringComparison.Ordinal);
        Assert.StartsWith("✅", Headline(JobFixtures.Succeeded() with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123") }), StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", Headline(JobFixtures.Succeeded() with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123", "U1> <!channel") }), StringComparison.Ordinal);
        Assert.StartsWith("<@W0ENTERPRISE> ", Headline(JobFixtures.Succeeded() with { Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123", "W0ENTERPRISE") }), StringComparison.Ordinal);
    }

    [Fact]
    public void Direct_message_after_a_long_job_gives_the_outcome_where_how_long_and_the_threads_link() =>
        GoldenFile.Verify("dm_job_ended", _renderer.JobEnded(
            JobFixtures.FailedWithExitCode() with { FinishedAt = JobFixtures.Created.AddSeconds(4 + 754) }, "C0123",
            new Uri("https://acme.slack.com/archives/C0123/p1700000000000555"), TimeSpan.FromMinutes(10)));

    [Fact]
    public void Direct_message_without_a_link_names_the_channel() =>
        GoldenFile.Verify("dm_job_ended_no_link", _renderer.JobEnded(
            JobFixtures.Cancelled() with { FinishedAt = JobFixtures.Created.AddMinutes(25) }, "C0123", threadLink: null, TimeSpan.FromMinutes(10)));
}
