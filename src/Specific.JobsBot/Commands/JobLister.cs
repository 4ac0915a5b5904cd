using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Guardrails;
using Specific.Slack.BlockKit;
using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Commands;

/// <summary>
/// The <c>job list</c> answer, need to know: the jobs started in the channel it is typed in, plus every job of the
/// environments the person is an admin of; newest first, each row redacted by the job's Secret values and by shape.
/// </summary>
public sealed class JobLister(IJobStore jobs, AccessPolicy policy, IOptionsMonitor<EnvironmentsOptions> environments, IJobRedaction redaction, TimeProvider clock)
{
    /// <summary>How many jobs <c>job list</c> shows.</summary>
    public const int Limit = 15;

    public async Task<SlackMessage> AnswerAsync(ListJobsCommand list, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(actor);
        var (queries, adminOf, everywhere) = await QueriesForAsync(list.Service, actor, cancellationToken);
        var found = new List<JobRecord>();
        foreach (var query in queries)
        {
            found.AddRange(await jobs.ListAsync(query, cancellationToken));
        }

        var recent = found.DistinctBy(job => job.Id)
            .OrderByDescending(job => job.CreatedAt).ThenByDescending(job => job.Id, StringComparer.Ordinal)
            .Take(Limit)
            .ToList();
        // Each row by its own job's values: a Secret typed into a command must not show in a list either.
        var redactors = await Task.WhenAll(recent.Select(job => redaction.ForJobAsync(job, cancellationToken).AsTask()));
        var shown = recent.Zip(redactors, (job, redactor) => redactor.Redacted(job)).ToList();
        var scope = everywhere ? "" : adminOf.Count == 0 ? " in this channel" : $" in this channel and in {string.Join(", ", adminOf.Select(e => $"`{e}`"))}";
        var text = JobReplies.List(shown, list.Service, scope, clock.GetUtcNow());
        return SlackMessage.Ephemeral(redactors.Any(r => r.Warning is not null)
            ? $"{text}\n:warning: Secret values of some of these jobs could not be read, so their commands are redacted by token shape only."
            : text);
    }

    /// <summary>This channel's jobs, and each environment the person administers; all jobs for an admin of every environment.</summary>
    private async Task<(List<JobQuery> Queries, List<string> AdminOf, bool Everywhere)> QueriesForAsync(
        string? service, Actor actor, CancellationToken cancellationToken)
    {
        if (await policy.IsAdminEverywhereAsync(actor.UserId, cancellationToken))
        {
            return ([new JobQuery(service, Limit: Limit)], [], true);
        }

        var queries = new List<JobQuery>();
        if (actor.ChannelId is { } channel)
        {
            queries.Add(new JobQuery(service, Limit: Limit, ChannelId: channel));
        }

        var adminOf = new List<string>();
        foreach (var environment in ConfiguredEnvironments.NamesOf(environments.CurrentValue).Concat(policy.PolicyEnvironments).Distinct(StringComparer.Ordinal))
        {
            if (await policy.IsAdminOfAsync(environment, actor.UserId, cancellationToken))
            {
                adminOf.Add(environment);
                queries.Add(new JobQuery(service, Limit: Limit, Environment: environment));
            }
        }

        return (queries, adminOf, false);
    }
}
