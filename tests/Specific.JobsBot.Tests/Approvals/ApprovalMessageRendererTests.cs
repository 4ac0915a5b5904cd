using Specific.Jobs.Domain;
using Specific.Jobs.Storage;
using Specific.JobsBot.Approvals;
using Specific.JobsBot.Tests.Threads;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Approvals;

/// <summary>The approval request's message in each state, against golden Block Kit JSON; and a job's message naming its approver.</summary>
public sealed class ApprovalMessageRendererTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private readonly ApprovalMessageRenderer _renderer = new();

    private static ApprovalMessage Waiting() => new()
    {
        ApprovalId = "a-7k2m9x4q",
        State = ApprovalState.Waiting,
        Service = "payments",
        Environment = "production",
        Command = "rake ledger:reconcile DATE=2026-12-06",
        Name = "reconcile",
        TimeLimit = "15 minutes",
        RequesterId = "U0SANDBOX",
        JobChannelId = "C0OPS",
        Approvers = "<@U0ALICE>, members of <!subteam^S0ONCALL>",
        Rule = "Guardrails:Environments:production:Services:payments:Approval",
        ExpiresAt = Created.AddMinutes(30),
        Expiry = TimeSpan.FromMinutes(30),
    };

    [Fact]
    public void A_waiting_request_shows_the_run_the_approvers_the_expiry_and_three_buttons()
    {
        var message = _renderer.Render(Waiting());

        GoldenFile.Verify("approval_waiting", message);
        var buttons = Assert.IsType<ActionsBlock>(message.Blocks!.Single(b => b.BlockId == ApprovalMessageRenderer.ActionsBlockId));
        Assert.Equal([ApprovalActions.Approve, ApprovalActions.Deny, ApprovalActions.Withdraw], buttons.Elements.Cast<ButtonElement>().Select(b => b.ActionId));
        Assert.All(buttons.Elements.Cast<ButtonElement>(), b => Assert.Equal("a-7k2m9x4q", b.Value));
    }

    [Fact]
    public void A_token_typed_into_the_command_or_the_name_is_redacted_by_shape_before_the_request_is_posted()
    {
        const string token = "xoxp-12345-67890-abcdefABCDEF";
        var approval = new PendingApproval
        {
            Id = "a-7k2m9x4q",
            State = ApprovalState.Waiting,
            Request = new JobRequest("payments", "production", $"curl -H 'Authorization: Bearer {token}' https://api.example", $"call {token}",
                new JobOrigin(JobOrigin.Slack, "T0SANDBOX", "C0OPS", "U0SANDBOX", "sandbox-user")),
            RequesterId = "U0SANDBOX",
            ReplyTo = new ApprovalReplyRoute(null, "C0OPS", "U0SANDBOX"),
            Rule = "Guardrails:Environments:production:Services:payments:Approval",
            CreatedAt = Created,
            ExpiresAt = Created.AddMinutes(30),
            Version = 0,
        };

        var message = _renderer.Render(ApprovalMessage.From(approval, "<@U0ALICE>", Specific.Jobs.Redaction.SecretRedactor.ShapesOnly));

        var posted = System.Text.Json.JsonSerializer.Serialize(message.Blocks, Specific.Slack.SlackJson.Options) + message.Text;
        Assert.DoesNotContain("abcdefABCDEF", posted, StringComparison.Ordinal);
        Assert.Contains("curl -H", posted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ApprovalState.Approved, "approval_approved", "Approved by <@U0ALICE>*: job `j-4xq9m2k7` starts in <#C0OPS>.")]
    [InlineData(ApprovalState.Denied, "approval_denied", "Denied by <@U0ALICE>*. Nothing was started.")]
    [InlineData(ApprovalState.Withdrawn, "approval_withdrawn", "Withdrawn by <@U0SANDBOX>*. Nothing was started.")]
    [InlineData(ApprovalState.Expired, "approval_expired", "*Expired*: nobody decided within 30 minutes.")]
    public void A_decided_request_shows_its_outcome_and_loses_its_buttons(ApprovalState state, string golden, string outcome)
    {
        var decider = state switch { ApprovalState.Withdrawn => "U0SANDBOX", ApprovalState.Expired => ApprovalWire.Expiry, _ => "U0ALICE" };
        var message = _renderer.Render(Waiting() with
        {
            State = state, DecidedBy = decider, JobId = state == ApprovalState.Approved ? "j-4xq9m2k7" : null,
        });

        GoldenFile.Verify(golden, message);
        Assert.DoesNotContain(message.Blocks!, b => b is ActionsBlock);
        var shown = Assert.IsType<SectionBlock>(message.Blocks!.Single(b => b.BlockId == ApprovalMessageRenderer.OutcomeBlockId));
        Assert.Contains(outcome, shown.Text!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approval_whose_job_could_not_be_recorded_says_so_and_that_nothing_started()
    {
        var message = ApprovalMessageRenderer.Outcome(Waiting() with { State = ApprovalState.Approved, DecidedBy = "U0ALICE", JobNotRecorded = true });

        Assert.Equal(":warning: *Approved by <@U0ALICE>*, but the job could not be recorded; <@U0SANDBOX> was told why. Nothing was started.", message);
    }

    [Fact]
    public void A_job_message_names_who_approved_it()
    {
        var job = JobFixtures.Running() with { ApprovedBy = "U0BOB" };

        var message = new JobMessageRenderer().Render(job, JobFixtures.Created.AddSeconds(30));

        GoldenFile.Verify("message_approved", message);
        Assert.Contains(message.Blocks!.OfType<SectionBlock>().SelectMany(s => s.Fields ?? []), f => f.Text == "*Approved by*\n<@U0BOB>");
    }
}
