using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.Jobs.Storage;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Interactions;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Commands;

/// <summary>
/// Answers <c>/specific …</c> within Slack's 3 seconds: parse, validate against what exists, reply privately, and
/// leave recording, starting and Web API calls to the <see cref="FrontDoorQueue"/>. Returns null for an empty 200.
/// </summary>
public sealed class SlashCommandHandler(
    RunJobValidator validator,
    JobCanceller canceller,
    IJobStore jobs,
    ILogStore logs,
    IJobRedaction redaction,
    IRequestLedger ledger,
    FrontDoorQueue queue,
    TimeProvider clock)
{
    /// <summary>How many jobs <c>job list</c> shows.</summary>
    public const int ListLimit = 15;

    public async Task<SlackMessage?> HandleAsync(SlashCommand slash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slash);
        return JobCommandParser.Parse(slash.Text) switch
        {
            HelpCommand => SlackMessage.Ephemeral(JobCommandUsage.Text),
            InvalidCommand invalid => Problem(invalid.Problem),
            OpenRunModalCommand => await OpenModalAsync(slash, cancellationToken),
            RunJobCommand run => await RunAsync(slash, run, cancellationToken),
            ListJobsCommand list => await ListAsync(list, cancellationToken),
            JobLogsCommand logsOf => await TailAsync(logsOf.JobId, cancellationToken),
            CancelJobCommand cancel => await CancelAsync(slash, cancel.JobId, cancellationToken),
            var other => throw new System.Diagnostics.UnreachableException($"The grammar produced {other.GetType().Name}, which has no handler."),
        };
    }

    /// <summary>What went wrong, then the usage: the reply to every command the bot cannot carry out.</summary>
    public static SlackMessage Problem(string problem) =>
        SlackMessage.Ephemeral($":warning: {problem}\n\n{JobCommandUsage.Text}");

    private static JobOrigin OriginOf(SlashCommand slash) =>
        new(JobOrigin.Slack, slash.TeamId, slash.ChannelId, slash.UserId, slash.UserName);

    private static ReplyTarget ReplyTargetOf(SlashCommand slash) => new(slash.ResponseUrl, slash.ChannelId, slash.UserId);

    /// <summary>One key per invocation: a Slack retry of the same command carries the same trigger_id.</summary>
    private static string? IdempotencyKey(SlashCommand slash) =>
        slash.TriggerId is { } trigger ? $"slack:command:{slash.TeamId}:{trigger}"
        : slash.ResponseUrl is { } url ? $"slack:command:{slash.TeamId}:{url}"
        : null;

    /// <summary>True the first time this invocation is seen; a retry or a replay gets an empty 200 and no effect.</summary>
    private async Task<bool> IsFirstAsync(SlashCommand slash, CancellationToken cancellationToken) =>
        IdempotencyKey(slash) is not { } key || await ledger.TryRecordAsync(key, clock.GetUtcNow(), cancellationToken);

    private static SlackMessage Busy() =>
        SlackMessage.Ephemeral(":hourglass: The bot is busy right now and started nothing. Try again in a moment.");

    private async Task<SlackMessage?> OpenModalAsync(SlashCommand slash, CancellationToken cancellationToken)
    {
        if (slash.TriggerId is not { } triggerId)
        {
            return Problem("Slack sent no trigger_id, so the form cannot open. Type the whole command instead.");
        }

        if (!await IsFirstAsync(slash, cancellationToken))
        {
            return null;
        }

        var metadata = new JobModalMetadata(slash.ChannelId, validator.DefaultEnvironment);
        var target = ReplyTargetOf(slash);
        return queue.TryEnqueue(
            "open the run modal",
            (services, token) => services.GetRequiredService<JobModalOpener>().OpenAsync(triggerId, metadata, prefill: null, target, token))
            ? null
            : Busy();
    }

    private async Task<SlackMessage?> RunAsync(SlashCommand slash, RunJobCommand run, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(
            new RunJobDraft(run.Service, run.Environment, run.Name, run.Command), OriginOf(slash), rerunOf: null, cancellationToken);
        if (validation.Request is not { } request)
        {
            return Problem(validation.Describe());
        }

        if (!await IsFirstAsync(slash, cancellationToken))
        {
            return null;
        }

        var target = ReplyTargetOf(slash);
        return queue.TryEnqueue(
            $"start a job on {request.Service} in {request.Environment}",
            (services, token) => services.GetRequiredService<JobStarter>().StartAsync(request, target, token))
            ? SlackMessage.Ephemeral(JobReplies.Starting(request))
            : Busy();
    }

    private async Task<SlackMessage> ListAsync(ListJobsCommand list, CancellationToken cancellationToken)
    {
        var recent = await jobs.ListAsync(new JobQuery(Service: list.Service, Limit: ListLimit), cancellationToken);
        return SlackMessage.Ephemeral(JobReplies.List(recent, list.Service, clock.GetUtcNow()));
    }

    private async Task<SlackMessage> TailAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            return Problem($"No job `{JobCommandParser.Shorten(jobId)}`. `/specific job list` shows recent jobs.");
        }

        // A few lines more than shown, so a key block that began just before the tail is still recognised.
        var read = await logs.TailAsync(job.Id, JobReplies.TailLines * 2, cancellationToken);
        var redactor = await redaction.ForJobAsync(job, cancellationToken);
        var tail = redactor.RedactLines(read, Math.Max(0, read.Count - JobReplies.TailLines));
        var last = tail.Count == 0 ? 0 : tail[^1].Number;
        var text = JobReplies.Tail(job, tail, last);
        return SlackMessage.Ephemeral(redactor.Warning is { } warning ? $"{text}\n:warning: {warning}" : text);
    }

    private async Task<SlackMessage?> CancelAsync(SlashCommand slash, string jobId, CancellationToken cancellationToken)
    {
        var decision = await canceller.DecideAsync(jobId, slash.UserId, cancellationToken);
        if (!decision.Allowed)
        {
            return SlackMessage.Ephemeral($":no_entry: {decision.Message}");
        }

        if (!await IsFirstAsync(slash, cancellationToken))
        {
            return null;
        }

        var target = ReplyTargetOf(slash);
        return queue.TryEnqueue(
            $"cancel job {jobId}",
            (services, token) => services.GetRequiredService<JobCanceller>().CancelAsync(jobId, target, token))
            ? SlackMessage.Ephemeral(decision.Message)
            : Busy();
    }
}
