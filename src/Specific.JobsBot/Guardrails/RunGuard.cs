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
    public bool Allowed => Decision.Allowed && Busy is null;

    /// <summary>The rule that refused it (the policy's, or the service's ExclusiveRun), or the one that allowed it.</summary>
    public string Rule => !Decision.Allowed ? Decision.Access.Rule : Busy is not null ? Decision.RunAloneRule! : Decision.Access.Rule;

    /// <summary>What the person is told when it is refused.</summary>
    public string Refusal(string service, string environment) =>
        !Decision.Allowed
            ? Decision.Access.RefusalText($"run jobs on `{service}` in `{environment}`")
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
}

/// <summary>
/// The checks a start goes through before anything is recorded: the policy, the migration detector, and a quick look
/// for a job that holds a run-alone service (the store checks that again, atomically, when it records the job).
/// </summary>
public sealed class RunGuard(AccessPolicy policy, IJobStore jobs)
{
    public async Task<RunVerdict> CheckAsync(JobRequest request, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = await policy.DecideRunAsync(request.Environment, request.Service, actor, cancellationToken);
        if (!decision.Allowed)
        {
            return new RunVerdict(decision, null, null);
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
}
