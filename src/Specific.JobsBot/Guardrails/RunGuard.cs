using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Guardrails;

/// <summary>Why a start must be confirmed: a stable key (so a form knows what it already asked) and what to say.</summary>
public sealed record ConfirmationReason(string Key, string Text, string Rule)
{
    public const string PolicyKey = "policy";
    public const string MigrationKey = "migration";
}

/// <summary>What the guardrails say about one start: refused (and why), or allowed with what it must confirm.</summary>
/// <param name="Busy">The unfinished job that holds a run-alone service, when there is one.</param>
public sealed record RunVerdict(RunDecision Decision, MigrationMatch? Migration, JobRecord? Busy)
{
    public bool Allowed => Decision.Allowed && Busy is null && NotASavedTask is null;

    /// <summary>The rule that refused it (the policy's, SavedTasksOnly, or the service's ExclusiveRun), or the one that allowed it.</summary>
    public string Rule =>
        !Decision.Allowed ? Decision.Access.Rule
        : NotASavedTask is { } notATask ? notATask.Rule
        : Busy is not null ? Decision.RunAloneRule! : Decision.Access.Rule;

    /// <summary>What the person is told when it is refused.</summary>
    public string Refusal(string service, string environment) =>
        !Decision.Allowed
            ? Decision.Access.RefusalText($"run jobs on `{service}` in `{environment}`")
            : NotASavedTask is { } notATask
                ? notATask.Text
            : $":no_entry: `{service}` in `{environment}` runs one job at a time, and job `{Busy!.Id}` is still {Busy.State.ToWire()}. " +
              $"Wait for it to end, or cancel it with `/specific job cancel {Busy.Id}`.\nRule: `{Decision.RunAloneRule}`.";

    /// <summary>Everything the person must confirm before the job starts; empty when it may start at once.</summary>
    public IReadOnlyList<ConfirmationReason> Confirmations(string service, string environment)
    {
        var reasons = new List<ConfirmationReason>();
        if (Decision.ConfirmationRule is { } rule)
        {
            reasons.Add(new ConfirmationReason(
                ConfirmationReason.PolicyKey,
                $":lock: `{environment}` asks for confirmation before a job starts: type `{service}` below to run it.",
                rule));
        }

        if (Migration is { } migration)
        {
            reasons.Add(new ConfirmationReason(ConfirmationReason.MigrationKey, migration.Warning, "migration warning"));
        }

        return reasons;
    }

    /// <summary>Set when the place runs saved tasks only and this is not one of them: the refusal, with the tasks offered.</summary>
    public SavedTasksRefusal? NotASavedTask { get; init; }
}

/// <summary>Why a command was refused where only saved tasks run: the rule, what the person is told, and the same in plain text.</summary>
public sealed record SavedTasksRefusal(string Rule, string Text, string Plain);

/// <summary>
/// The checks a start goes through before anything is recorded: the policy, the migration detector, and a quick look
/// for a job that holds a run-alone service (the store checks that again, atomically, when it records the job).
/// </summary>
public sealed class RunGuard(AccessPolicy policy, IJobStore jobs, SavedTaskCatalog tasks)
{
    public async Task<RunVerdict> CheckAsync(JobRequest request, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = await policy.DecideRunAsync(request.Environment, request.Service, actor, cancellationToken);
        if (!decision.Allowed)
        {
            return new RunVerdict(decision, null, null);
        }

        if (SavedTasksOnly(request) is { } notATask)
        {
            return new RunVerdict(decision, null, null) { NotASavedTask = notATask };
        }

        JobRecord? busy = null;
        if (decision.RunsAlone)
        {
            var unfinished = await jobs.ListAsync(
                new JobQuery(request.Service, UnfinishedOnly: true, Limit: 1, Environment: request.Environment), cancellationToken);
            busy = unfinished.Count > 0 ? unfinished[0] : null;
        }

        return new RunVerdict(decision, MigrationDetector.Detect(request.Command), busy);
    }

    /// <summary>
    /// Where only saved tasks run, a request passes when it names a task offered there and carries that task's command
    /// as configured now; anything else is refused with the tasks that are offered and how to run one.
    /// </summary>
    private SavedTasksRefusal? SavedTasksOnly(JobRequest request)
    {
        if (policy.SavedTasksOnlyRule(request.Environment, request.Service) is not { } rule)
        {
            return null;
        }

        var (service, environment) = (request.Service, request.Environment);
        var task = request.Task is { } name ? tasks.Find(service, name) : null;
        if (task is not null && task.OfferedIn(environment) && string.Equals(task.Command, request.Command, StringComparison.Ordinal))
        {
            return null;
        }

        var what = request.Task is { } named
            ? task is null || !task.OfferedIn(environment)
                ? $"`{named}` is not one of them"
                : $"this is not `{named}`'s command as saved now; run the task again by name"
            : "a free command is refused";
        var offered = tasks.OfferedIn(service, environment);
        var env = $" --env {environment}";
        var text = offered.Count == 0
            ? $":no_entry: `{service}` in `{environment}` runs saved tasks only, and {what}; no task of `{service}` is offered there yet. " +
              $"Ask an admin to add one under `Tasks:{service}:<task>`.\nRule: `{rule}`."
            : $":no_entry: `{service}` in `{environment}` runs saved tasks only, and {what}. Its tasks there:\n" +
              string.Concat(offered.Select(t => $"• `{t.Name}`{(t.Description is { } d ? $": {d}" : "")}\n")) +
              $"Run one with `/specific task run {service} {offered[0].Name}{env}`; `/specific task list {service}` shows their commands.\nRule: `{rule}`.";
        var plain = offered.Count == 0
            ? $"{service} in {environment} runs saved tasks only, and none is offered there. (Rule: {rule})"
            : $"{service} in {environment} runs saved tasks only: pick one of {string.Join(", ", offered.Select(t => t.Name))} under Saved task. (Rule: {rule})";
        return new SavedTasksRefusal(rule, text, plain);
    }
}
