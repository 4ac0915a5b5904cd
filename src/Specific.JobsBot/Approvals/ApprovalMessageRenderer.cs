using System.Globalization;
using Specific.Jobs.Storage;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Approvals;

/// <summary>Turns an <see cref="ApprovalMessage"/> into the approval request's Slack message: buttons while it waits, the outcome after.</summary>
public sealed class ApprovalMessageRenderer
{
    /// <summary>The block_id of the buttons row.</summary>
    public const string ActionsBlockId = "approval_actions";

    /// <summary>The block_id of the outcome line, once decided.</summary>
    public const string OutcomeBlockId = "approval_outcome";

    public SlackMessage Render(ApprovalMessage approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var title = approval.Name is { Length: > 0 } name ? $" ({SlackText.Escape(SlackText.Truncate(name, 120))})" : "";
        var fields = new List<TextObject>
        {
            new Mrkdwn("*Service*\n" + SlackText.Code(approval.Service)),
            new Mrkdwn("*Environment*\n" + SlackText.Code(approval.Environment)),
            new Mrkdwn("*Requested by*\n" + SlackText.Mention(approval.RequesterId)),
            new Mrkdwn("*Job's channel*\n" + (approval.JobChannelId is { Length: > 0 } channel ? $"<#{channel}>" : "none")),
        };
        if (approval.TimeLimit is { } limit)
        {
            fields.Add(new Mrkdwn("*Time limit*\n" + SlackText.Escape(limit)));
        }

        var blocks = new List<Block>
        {
            new SectionBlock(new Mrkdwn(
                $"{Emoji(approval.State)} *{SlackText.Mention(approval.RequesterId)} asks to run a job{title} on {SlackText.Code(approval.Service)} in {SlackText.Code(approval.Environment)}.* " +
                "A second person must approve it before it starts.")),
            new SectionBlock { Fields = fields },
        };
        blocks.AddRange(JobMessageRenderer.CommandBlocks(approval.Command));
        if (approval.RedactionWarning is { Length: > 0 } warning)
        {
            blocks.Add(new ContextBlock([new Mrkdwn(":warning: " + SlackText.EscapeWithin(warning, 1000))]));
        }
        blocks.Add(new ContextBlock([new Mrkdwn(
            $"Request {SlackText.Code(approval.ApprovalId)} · approvers: {approval.Approvers} · rule {SlackText.Code(approval.Rule)}")]));
        if (approval.State == ApprovalState.Waiting)
        {
            blocks.Add(new ContextBlock([new Mrkdwn(
                $"Waits until {When(approval.ExpiresAt)}. Only the approvers, never the requester, can approve or deny; only the requester can withdraw.")]));
            blocks.Add(new ActionsBlock(
            [
                new ButtonElement(new PlainText("Approve"), ApprovalActions.Approve, approval.ApprovalId) { Style = ButtonStyle.Primary },
                new ButtonElement(new PlainText("Deny"), ApprovalActions.Deny, approval.ApprovalId) { Style = ButtonStyle.Danger },
                new ButtonElement(new PlainText("Withdraw"), ApprovalActions.Withdraw, approval.ApprovalId),
            ])
            {
                BlockId = ActionsBlockId,
            });
        }
        else
        {
            blocks.Add(new SectionBlock(new Mrkdwn(Outcome(approval))) { BlockId = OutcomeBlockId });
        }

        return new SlackMessage(Fallback(approval), blocks);
    }

    /// <summary>The decided request in one line, as the message and the private notices say it.</summary>
    public static string Outcome(ApprovalMessage approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var by = approval.DecidedBy is { Length: > 0 } decider && decider != ApprovalWire.Expiry ? SlackText.Mention(decider) : "someone";
        return approval.State switch
        {
            ApprovalState.Approved when approval.JobNotRecorded =>
                $":warning: *Approved by {by}*, but the job could not be recorded; <@{approval.RequesterId}> was told why. Nothing was started.",
            ApprovalState.Approved => $":white_check_mark: *Approved by {by}*: job {SlackText.Code(approval.JobId ?? "?")} starts" +
                                      (approval.JobChannelId is { Length: > 0 } channel ? $" in <#{channel}>." : "."),
            ApprovalState.Denied => $":no_entry: *Denied by {by}*. Nothing was started.",
            ApprovalState.Withdrawn => $":leftwards_arrow_with_hook: *Withdrawn by {by}*. Nothing was started.",
            ApprovalState.Expired => $":hourglass: *Expired*: nobody decided within {SlackText.Escape(Threads.JobMessage.Duration(approval.Expiry))}. Nothing was started; run the command again to ask anew.",
            _ => ":hourglass_flowing_sand: Waiting for approval.",
        };
    }

    private static string Emoji(ApprovalState state) => state switch
    {
        ApprovalState.Waiting => ":raised_hand:",
        ApprovalState.Approved => ":white_check_mark:",
        ApprovalState.Denied => ":no_entry:",
        ApprovalState.Withdrawn => ":leftwards_arrow_with_hook:",
        _ => ":hourglass:",
    };

    /// <summary>A Slack date token: shown in the reader's time zone, with UTC as the fallback.</summary>
    private static string When(DateTimeOffset at) =>
        $"<!date^{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}^{{date_short_pretty}} {{time}}|{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC>";

    private static string Fallback(ApprovalMessage approval) =>
        SlackText.Escape(approval.State == ApprovalState.Waiting
            ? $"Approval needed: a job on {approval.Service} in {approval.Environment}"
            : $"Approval request for a job on {approval.Service} in {approval.Environment}: {approval.State.ToWire()}");
}
