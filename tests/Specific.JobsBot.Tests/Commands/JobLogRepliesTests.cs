using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Testing;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Tests.Guardrails;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>The log answers: within Block Kit's limits whatever the output, redacted as a block, honest about what was left out.</summary>
public sealed class JobLogRepliesTests
{
    private static readonly JobRecord Job = SlashCommandEndpointTests.Job("j-abcdefgh", "web", JobState.Running, DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<LogLine> Lines(int count, Func<int, string> text) =>
        Enumerable.Range(1, count).Select(i => new LogLine(i, DateTimeOffset.UtcNow, LogStream.Output, text(i))).ToList();

    [Fact]
    public void A_flooding_tail_keeps_the_newest_lines_within_block_kit_limits()
    {
        var tail = JobLogReplies.Tail(Job, Lines(30, i => $"{i}:" + new string('x', 5000)), lastNumber: 5000);

        Assert.Empty(BlockKitLimits.Check(tail));
        Assert.Contains("of 5,000", tail.Text, StringComparison.Ordinal);
        var shown = PreformattedOf(tail);
        Assert.StartsWith("30:", shown.Split('\n')[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("\n1:", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flooding_search_stays_within_block_kit_limits_and_counts_what_it_could_not_show()
    {
        var found = new LogSearchResult(Lines(25, i => new string('e', 2000)), LogSearchResult.CountLimit + 1);

        var reply = JobLogReplies.Grep(Job, "e", found);

        Assert.Empty(BlockKitLimits.Check(reply));
        var rows = PreformattedOf(reply).Split('\n').Length;
        Assert.InRange(rows, 1, 24);
        Assert.Contains($"more than {SlackText.Count(LogSearchResult.CountLimit)} lines contain", reply.Text, StringComparison.Ordinal);
        Assert.Contains($"Showing the first {rows}; more than {SlackText.Count(LogSearchResult.CountLimit - rows)} more match.", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_text_with_backticks_and_mrkdwn_is_shown_escaped()
    {
        var reply = JobLogReplies.Grep(Job, "<!channel> `x`", new LogSearchResult([], 0));

        Assert.Contains("`&lt;!channel&gt; ˋxˋ`", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_and_search_are_redacted_as_one_block_before_they_are_cut()
    {
        var jobs = new InMemoryJobStore();
        var logs = new InMemoryLogStore();
        var job = jobs.Put(Job);
        logs.Write(job.Id, "connecting with password=hunter2", "key part one", "key part two", "done");
        using var policy = new PolicyHost(new Dictionary<string, string?>());
        var reader = new JobLogReader(jobs, logs, new SplitSecretRedaction(), policy.LogAccess);

        var tail = await reader.AnswerAsync(InJobsChannel(new JobLogsCommand(job.Id)), Ct);
        var grep = await reader.AnswerAsync(InJobsChannel(new JobLogsCommand(job.Id, Grep: "part")), Ct);

        var tailText = PreformattedOf(tail);
        Assert.DoesNotContain("hunter2", tailText, StringComparison.Ordinal);
        Assert.DoesNotContain("part one", tailText, StringComparison.Ordinal);
        Assert.Contains("[redacted]", tailText, StringComparison.Ordinal);
        Assert.DoesNotContain("part one", PreformattedOf(grep), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_of_a_job_the_store_does_not_know_says_so()
    {
        using var policy = new PolicyHost(new Dictionary<string, string?>());
        var reader = new JobLogReader(new InMemoryJobStore(), new InMemoryLogStore(), new SplitSecretRedaction(), policy.LogAccess);

        var reply = await reader.AnswerAsync(InJobsChannel(new JobLogsCommand("j-nothere1")), Ct);

        Assert.Contains("No job `j-nothere1`", reply.Text, StringComparison.Ordinal);
    }

    /// <summary>Asked in the channel the test jobs ran in, so need to know lets it through.</summary>
    private static LogReadRequest InJobsChannel(JobLogsCommand command) =>
        new(command, new Actor("U0READER", FrontDoorApp.Channel, FrontDoorApp.Team), $"/specific job logs {command.JobId}");

    internal static string PreformattedOf(SlackMessage message) =>
        string.Join("\n", message.Blocks!.OfType<RichTextBlock>().SelectMany(b => b.Elements).OfType<RichTextPreformatted>()
            .SelectMany(p => p.Elements).OfType<RichTextText>().Select(t => t.Text));

    /// <summary>Knows a password and a key that spans two lines: only a redactor that sees the block finds the key.</summary>
    internal sealed class SplitSecretRedaction : IJobRedaction, ITextRedactor
    {
        public ValueTask<ITextRedactor> ForJobAsync(JobRecord job, CancellationToken cancellationToken) => ValueTask.FromResult<ITextRedactor>(this);

        public string Redact(string text) =>
            text.Replace("hunter2", "[redacted]", StringComparison.Ordinal)
                .Replace("key part one\nkey part two", "[redacted]\n[redacted]", StringComparison.Ordinal);
    }
}
