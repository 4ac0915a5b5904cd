using Specific.Slack.WebApi;
using Specific.Jobs.Storage;
using Specific.JobsBot.Commands;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Interactions;

/// <summary>Opens the run modal (empty, or pre-filled for a re-run) and keeps its service menu in step with the environment.</summary>
public sealed partial class JobModalOpener(
    RunJobValidator validator, IJobStore jobs, SlackWebClient slack, ILogger<JobModalOpener> logger)
{
    /// <summary>
    /// The trigger_id dies 3 s after the click and the queue has already spent some of that, so the service list gets
    /// a short budget; without it the modal still opens, with the service typed.
    /// </summary>
    public static readonly TimeSpan ServiceListBudget = TimeSpan.FromMilliseconds(1500);

    /// <summary>Opens the modal with the given pre-filled values.</summary>
    public async Task OpenAsync(
        string triggerId, JobModalMetadata metadata, (string Service, string? Name, string Command)? prefill, ReplyTarget replyTo,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(replyTo);
        var model = await BuildAsync(metadata, prefill?.Service, prefill?.Name, prefill?.Command, cancellationToken);
        try
        {
            await slack.OpenViewAsync(triggerId, JobModal.Render(model), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogOpenFailed(ex);
            await slack.TellAsync(
                replyTo,
                $":x: Couldn't open the form ({ex.Message}). Type the command instead: `/specific job run <service> <command…>`.",
                CancellationToken.None);
        }
    }

    /// <summary>Re-run: the job's service, environment, name and command, in a modal that remembers what it re-runs.</summary>
    public async Task OpenRerunAsync(string triggerId, string jobId, string channelId, ReplyTarget replyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replyTo);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            await slack.TellAsync(replyTo, $":x: No job `{JobCommandParser.Shorten(jobId)}` to re-run.", cancellationToken);
            return;
        }

        var metadata = new JobModalMetadata(channelId, job.Environment, RerunOf: job.Id);
        await OpenAsync(triggerId, metadata, (job.Service, job.Name, job.Command), replyTo, cancellationToken);
    }

    /// <summary>After the environment menu changed: the same modal with that environment's services.</summary>
    public async Task SwitchEnvironmentAsync(ViewPayload view, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var metadata = JobModal.ReadMetadata(view);
        if (metadata is null)
        {
            return;
        }

        var (draft, _) = JobModal.ReadSubmission(view, metadata);
        var model = await BuildAsync(metadata with { Environment = environment }, draft.Service, draft.Name, draft.Command, cancellationToken);
        try
        {
            await slack.UpdateViewAsync(view.Id, JobModal.Render(model), view.Hash, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A newer view (hash_conflict) or a closed modal: the submission is validated anyway.
            LogUpdateFailed(ex, view.Id);
        }
    }

    private async Task<JobModalModel> BuildAsync(
        JobModalMetadata metadata, string? service, string? name, string? command, CancellationToken cancellationToken)
    {
        var environments = validator.EnvironmentNames();
        IReadOnlyList<string>? services = null;
        string? problem;
        if (!environments.Contains(metadata.Environment))
        {
            problem = $"Environment {metadata.Environment} is not configured; pick another.";
        }
        else
        {
            (services, problem) = await validator.ListServicesAsync(metadata.Environment, cancellationToken, ServiceListBudget);
            if (services is { Count: 0 })
            {
                problem = $"No service is deployed in {metadata.Environment} yet.";
            }
            else if (services is { Count: > Slack.BlockKit.BlockKitLimits.SelectOptions })
            {
                problem = $"{services.Count} services are deployed in {metadata.Environment}; type the one you want.";
            }
        }

        return new JobModalModel(metadata, environments, services, problem?.Replace("`", "", StringComparison.Ordinal), service, name, command);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not open the run modal")]
    private partial void LogOpenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not update run modal {ViewId} after an environment change")]
    private partial void LogUpdateFailed(Exception exception, string viewId);
}
