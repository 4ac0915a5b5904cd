using Humanizer;
using Specific.Jobs.Storage;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Guardrails;

/// <summary>The <c>job audit</c> answer: recent attempts, newest first, one section each, within Block Kit's limits.</summary>
public static class AuditReplies
{
    /// <summary>How many entries one answer shows.</summary>
    public const int Limit = 20;

    private const int CommandCharacters = 200;
    private const int DetailCharacters = 300;

    public static SlackMessage Render(IReadOnlyList<AuditEntry> entries, string environment, string? service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var scope = service is null ? $"`{environment}`" : $"`{service}` in `{environment}`";
        if (entries.Count == 0)
        {
            return SlackMessage.Ephemeral($"No audit entries for {scope} yet.");
        }

        var headline = $"*Audit trail of {scope}*: the last {SlackText.Count(entries.Count, "attempt", "attempts")}, newest first.";
        var blocks = new List<Block> { new SectionBlock(new Mrkdwn(headline)) };
        blocks.AddRange(entries.Take(Math.Min(Limit, BlockKitLimits.MessageBlocks - 1)).Select(e => new SectionBlock(new Mrkdwn(Line(e, now)))));
        return SlackMessage.Ephemeral($"Audit trail of {(service is null ? environment : $"{service} in {environment}")}: {entries.Count} attempts.", blocks);
    }

    /// <summary>One entry: outcome, action, service, job, who and where, when; then the command; then the rule and what was said.</summary>
    public static string Line(AuditEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var mark = entry.Outcome switch
        {
            AuditOutcome.Allowed => ":white_check_mark:",
            AuditOutcome.Refused => ":no_entry:",
            _ => ":hourglass:",
        };
        var parts = new List<string> { $"{mark} *{entry.Action.ToWire()}* {entry.Outcome.ToWire().Replace('_', ' ')}" };
        if (entry.Service is not null)
        {
            parts.Add(SlackText.Code(entry.Service));
        }

        if (entry.JobId is not null)
        {
            parts.Add("job " + SlackText.Code(entry.JobId));
        }

        var who = entry.UserId is null ? "someone" : SlackText.Mention(entry.UserId);
        parts.Add(entry.ChannelId is null ? who : $"{who} in <#{entry.ChannelId}>");
        parts.Add(entry.At.Humanize(now));
        var line = string.Join(" · ", parts);
        if (!string.IsNullOrEmpty(entry.CommandText))
        {
            line += "\n" + SlackText.Code(SlackText.Truncate(entry.CommandText, CommandCharacters));
        }

        if (entry.Rule is not null || entry.Detail is not null)
        {
            var rule = entry.Rule is null ? "" : "rule " + SlackText.Code(entry.Rule);
            // The detail is what the bot said (mrkdwn it wrote itself, with mentions), so it is shown as is.
            var detail = entry.Detail is null ? "" : SlackText.Truncate(entry.Detail, DetailCharacters);
            line += "\n" + string.Join(" · ", new[] { rule, detail }.Where(p => p.Length > 0));
        }

        return line;
    }
}
