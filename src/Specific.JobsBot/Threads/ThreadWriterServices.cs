using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>What a thread writer works with, handed over by its keeper: the stores, Slack, the renderers, pacing and settings.</summary>
/// <param name="Logger">The keeper's logger: a writer logs under the keeper's category.</param>
/// <param name="OwnerId">The keeper's name in the lease table.</param>
/// <param name="FullLogMaxBytes">The cap of the full log uploaded at a job's end (Logs:FullLogMaxBytes), as the Full log button's.</param>
internal sealed record ThreadWriterServices(
    IJobStore Jobs,
    ILogStore Logs,
    IThreadStore Threads,
    SlackWebClient Slack,
    JobMessageRenderer Messages,
    ThreadReplyRenderer Replies,
    IJobRedaction Redaction,
    SlackPacer Pacer,
    ThreadKeeperMetrics Metrics,
    ThreadKeeperOptions Options,
    TimeProvider Time,
    ILogger Logger,
    string OwnerId,
    long FullLogMaxBytes)
{
    /// <summary>Told when a post is refused because the bot left the channel, so the next run there asks Slack again.</summary>
    public ChannelReach? Reach { get; init; }

    /// <summary>How to reach the person who started a job whose thread can no longer be written.</summary>
    public JobRequesters? Requesters { get; init; }

    /// <summary>Each person's choice of a direct message when a long job ends, and each job's message claimed once.</summary>
    public IRequesterNotices? Notices { get; init; }
}
