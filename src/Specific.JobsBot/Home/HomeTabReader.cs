using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Home;

/// <summary>
/// Reads one person's Home tab from the store: their unfinished jobs and their most recent ended ones, each redacted
/// by its job's Secret values (as <c>job list</c> does), with the link to its thread. A permalink never changes, so
/// each is asked of chat.getPermalink once and kept (bounded).
/// </summary>
public sealed partial class HomeTabReader(
    IJobStore jobs, IThreadStore threads, SlackWebClient slack, IJobRedaction redaction, IOptions<HomeOptions> options,
    TimeProvider clock, ILogger<HomeTabReader> logger)
{
    /// <summary>How many thread links are kept before the cache starts over.</summary>
    public const int MaxKnownLinks = 5000;

    private readonly ConcurrentDictionary<string, Uri> _links = new(StringComparer.Ordinal);

    public async Task<HomeTab> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var unfinished = await jobs.ListAsync(
            new JobQuery(UnfinishedOnly: true, Limit: HomeTabRenderer.MaxRowsPerList) { UserId = userId }, cancellationToken);
        var newest = await jobs.ListAsync(
            new JobQuery(Limit: HomeTabRenderer.MaxRowsPerList + options.Value.RecentJobs) { UserId = userId }, cancellationToken);
        // A job that ended between the two reads shows once, as ended.
        var ended = newest.Where(job => job.State.IsFinal()).Take(options.Value.RecentJobs).ToList();
        var endedIds = ended.Select(job => job.Id).ToHashSet(StringComparer.Ordinal);
        unfinished = unfinished.Where(job => !endedIds.Contains(job.Id)).ToList();

        var now = clock.GetUtcNow();
        var warning = false;
        async Task<List<HomeTabJob>> RowsAsync(IReadOnlyList<JobRecord> records)
        {
            var rows = new List<HomeTabJob>(records.Count);
            foreach (var job in records)
            {
                var redactor = await redaction.ForJobAsync(job, cancellationToken);
                warning |= redactor.Warning is not null;
                rows.Add(HomeTabJob.From(redactor.Redacted(job), await LinkAsync(job.Id, cancellationToken), now));
            }

            return rows;
        }

        return new HomeTab(userId, await RowsAsync(unfinished), await RowsAsync(ended))
        {
            Warning = warning ? "Secret values of some of these jobs could not be read, so their commands are redacted by token shape only." : null,
        };
    }

    private async Task<Uri?> LinkAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(jobId, out var known))
        {
            return known;
        }

        if (await threads.GetAsync(jobId, cancellationToken) is not { MessageTs: { } ts } thread)
        {
            // Not posted yet: the next publish (the job's next change) has it.
            return null;
        }

        try
        {
            var link = await slack.GetPermalinkAsync(thread.ChannelId, ts, cancellationToken);
            if (_links.Count >= MaxKnownLinks)
            {
                _links.Clear();
            }

            _links[jobId] = link;
            return link;
        }
        catch (Exception exception) when (exception is SlackApiException or SlackRateLimitedException or SlackTransientException)
        {
            // The row shows without its link rather than the tab not showing at all.
            LogLinkMissing(exception, jobId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The Home tab shows job {JobId} without its thread's link")]
    private partial void LogLinkMissing(Exception exception, string jobId);
}
