using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
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
    long FullLogMaxBytes);
