using Specific.Jobs.Domain;
using Specific.JobsBot.Commands;

namespace Specific.JobsBot.Tests.Commands;

public class JobRepliesTests
{
    private static readonly JobRecord Job = SlashCommandEndpointTests.Job("j-abcdefgh", "web", JobState.Running, DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("echo hi", "Starting `echo hi` on `web` in `production`…")]
    [InlineData("echo `date`", "Starting a job on `web` in `production`:\n```\necho `date`\n```")]
    [InlineData("a\nb", "Starting a job on `web` in `production`:\n```\na\nb\n```")]
    public void The_acknowledgement_shows_the_command_as_code(string command, string expected) =>
        Assert.Equal(expected, JobReplies.Starting(new JobRequest("web", "production", command, null, new JobOrigin(JobOrigin.Slack))));
}
