using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Home;

/// <summary>Turns a <see cref="HomeTab"/> into the Home view views.publish sets, within Block Kit's limits.</summary>
public sealed class HomeTabRenderer
{
    /// <summary>The block_id of the row with the "Run a job" button.</summary>
    public const string ActionsBlockId = "home_actions";

    /// <summary>How many rows of each list the tab shows; with the headings this stays far below 100 blocks.</summary>
    public const int MaxRowsPerList = 20;

    /// <summary>The block_id of an unfinished job's row is this and the job id; an ended job's starts with <see cref="EndedBlockPrefix"/>.</summary>
    public const string UnfinishedBlockPrefix = "home_unfinished_";

    public const string EndedBlockPrefix = "home_ended_";

    private const int TitleLength = 120;
    private const int CommandLength = 300;

    /// <summary>The Home view of <paramref name="tab"/>.</summary>
    public HomeView Render(HomeTab tab)
    {
        ArgumentNullException.ThrowIfNull(tab);
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText("Your jobs", Emoji: true)),
            new ActionsBlock([new ButtonElement(new PlainText(Runs.JobModal.ShortcutName), HomeTab.RunJobAction) { Style = ButtonStyle.Primary }])
            {
                BlockId = ActionsBlockId,
            },
            new SectionBlock(new Mrkdwn($"*Unfinished* ({tab.Unfinished.Count})")),
        };
        Rows(blocks, tab.Unfinished, UnfinishedBlockPrefix, "Nothing of yours is running.");
        blocks.Add(new DividerBlock());
        blocks.Add(new SectionBlock(new Mrkdwn("*Recently ended*")));
        Rows(blocks, tab.Ended, EndedBlockPrefix, "No job of yours has ended yet.");
        var footer = "Only you see this tab: the jobs you started, newest first. It follows them as they change.";
        blocks.Add(new ContextBlock([new Mrkdwn(tab.Warning is null ? footer : $":warning: {SlackText.Escape(tab.Warning)} {footer}")]));
        return new HomeView(blocks);
    }

    private static void Rows(List<Block> blocks, IReadOnlyList<HomeTabJob> jobs, string blockPrefix, string none)
    {
        if (jobs.Count == 0)
        {
            blocks.Add(new ContextBlock([new Mrkdwn(none)]));
            return;
        }

        // One row per job even if the store was read mid-change: a repeated block_id would make Slack refuse the view.
        foreach (var job in jobs.DistinctBy(job => job.JobId).Take(MaxRowsPerList))
        {
            blocks.Add(new SectionBlock(new Mrkdwn(Row(job))) { BlockId = blockPrefix + job.JobId });
        }
    }

    private static string Row(HomeTabJob job)
    {
        var title = SlackText.EscapeWithin(job.Title, TitleLength);
        return $"{JobStateText.Emoji(job.State)} *{title}* · {JobStateText.Label(job.State)} · {SlackText.Code(job.Service)} in {SlackText.Code(job.Environment)} · {SlackText.Escape(job.Timing)}\n" +
               SlackText.Code(SlackText.Truncate(job.Command, CommandLength)) +
               (job.ThreadLink is null ? "" : $" · <{job.ThreadLink}|open the thread>");
    }
}
