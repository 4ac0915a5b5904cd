using Specific.EndToEnd.Tests.Host;

namespace Specific.EndToEnd.Tests;

/// <summary>
/// The sandbox's payments service takes values from Secrets (env secretKeyRef and envFrom secretRef); the bot, a
/// separate process, reads them from the cluster simulator and no job output shows them. The ledger service's Secret
/// is refused to the bot: its output is redacted by shape only and the thread says why.
/// </summary>
public sealed class RedactionTests
{
    [Fact]
    public async Task A_job_that_echoes_values_from_Secrets_shows_redacted_in_the_thread()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run payments -- echo key=$PAYMENTS_API_KEY signing=$WEBHOOK_SIGNING_SECRET region=$PAYMENTS_REGION");
        await sandbox.WaitForState(job, "succeeded");
        var thread = await sandbox.WaitForFinalReply(job);
        var visible = string.Join('\n', thread.Select(r => r.VisibleText).Append(sandbox.MessageOf(job).VisibleText));

        Assert.True(visible.Contains("key=[redacted] signing=[redacted] region=eu-west-1", StringComparison.Ordinal),
            $"The output is not redacted as expected.\n{sandbox.Describe(job)}");
        Assert.DoesNotContain("pk_live_51Sandbox7hQ2mX9vR4", visible, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_sandbox_4f9c2e71b8", visible, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be read", visible, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_whose_Secret_the_bot_may_not_read_is_redacted_by_shape_and_the_thread_says_why()
    {
        await using var sandbox = await JobsSandbox.StartAsync();

        var job = await sandbox.SlashCommand("job run ledger -- echo token xoxb-1234567890-abcdefghij");
        await sandbox.WaitForState(job, "succeeded");
        var thread = await sandbox.WaitForFinalReply(job);
        var visible = string.Join('\n', thread.Select(r => r.VisibleText).Append(sandbox.MessageOf(job).VisibleText));

        Assert.True(visible.Contains("token [redacted]", StringComparison.Ordinal), $"The token shape is not redacted.\n{sandbox.Describe(job)}");
        Assert.True(visible.Contains("Secret values could not be read", StringComparison.Ordinal), $"The thread does not say value redaction was unavailable.\n{sandbox.Describe(job)}");
        Assert.Contains("Secret `ledger-credentials`", visible, StringComparison.Ordinal);
    }
}
