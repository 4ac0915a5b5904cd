using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.JobsBot.Commands;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Commands;

public class JobRepliesTests
{
    private static readonly JobRecord Job = SlashCommandEndpointTests.Job("j-abcdefgh", "web", JobState.Running, DateTimeOffset.UtcNow);

    private static List<LogLine> Lines(int count, Func<int, string> text) =>
        Enumerable.Range(1, count).Select(i => new LogLine(i, DateTimeOffset.UtcNow, LogStream.Output, text(i))).ToList();

    [Fact]
    public void A_flooding_tail_keeps_the_newest_lines_within_a_sections_limit()
    {
        var lines = Lines(30, i => $"{i}:" + new string('x', 1000));

        var tail = JobReplies.Tail(Job, lines, lastNumber: 5000);

        Assert.True(tail.Length <= BlockKitLimits.SectionText, $"{tail.Length} characters");
        Assert.Contains("30:", tail, StringComparison.Ordinal);
        Assert.DoesNotContain("\n1:", tail, StringComparison.Ordinal);
        Assert.Contains("of 5000", tail, StringComparison.Ordinal);
    }

    [Fact]
    public void Backtick_fences_in_the_output_cannot_close_the_code_block()
    {
        var tail = JobReplies.Tail(Job, Lines(2, i => i == 1 ? "```" : "after"), lastNumber: 2);

        Assert.Equal(2, tail.Split("```").Length - 1);
    }

    [Theory]
    [InlineData("echo hi", "Starting `echo hi` on `web` in `production`…")]
    [InlineData("echo `date`", "Starting a job on `web` in `production`:\n```\necho `date`\n```")]
    [InlineData("a\nb", "Starting a job on `web` in `production`:\n```\na\nb\n```")]
    public void The_acknowledgement_shows_the_command_as_code(string command, string expected) =>
        Assert.Equal(expected, JobReplies.Starting(new JobRequest("web", "production", command, null, new JobOrigin(JobOrigin.Slack))));
}
