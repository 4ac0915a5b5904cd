using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Guardrails;

/// <summary>Whether a read of a job's log may go ahead, and the refusal to show when it may not.</summary>
/// <param name="Refusal">What the person is told (mrkdwn); null when allowed.</param>
public sealed record LogReadVerdict(bool Allowed, string? Refusal);

/// <summary>
/// Need to know for job logs (<c>job logs</c>, <c>--grep</c>, <c>--file</c> and the Full log button): decides with
/// <see cref="AccessPolicy.DecideReadLogAsync"/>, audits every read allowed or refused, and words a refusal so that it
/// names where the job ran and whom to ask, never what it ran.
/// </summary>
public sealed class LogAccess(AccessPolicy policy, AuditTrail audit)
{
    public async Task<LogReadVerdict> DecideAsync(JobRecord job, Actor actor, string commandText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(actor);
        var access = await policy.DecideReadLogAsync(job, actor, cancellationToken);
        if (!access.Allowed)
        {
            var refusal = Refusal(job, access);
            audit.Record(new GuardedAttempt
            {
                Action = AuditAction.Logs, Outcome = AuditOutcome.Refused, Actor = actor,
                Environment = job.Environment, Service = job.Service, JobId = job.Id,
                CommandText = commandText, Rule = access.Rule, Detail = refusal,
            });
            return new LogReadVerdict(false, refusal);
        }

        audit.Record(new GuardedAttempt
        {
            Action = AuditAction.Logs, Outcome = AuditOutcome.Allowed, Actor = actor,
            Environment = job.Environment, Service = job.Service, JobId = job.Id,
            CommandText = commandText, Rule = access.Rule, Detail = access.Reason,
        });
        return new LogReadVerdict(true, null);
    }

    /// <summary>The refusal: the rule, where to ask and whom; the job's id and environment only (they were typed or shown to this person).</summary>
    public static string Refusal(JobRecord job, AccessDecision access)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(access);
        var admins = access.Admins.Count > 0
            ? $"ask an admin of `{job.Environment}`: {string.Join(", ", access.Admins)}"
            : $"ask whoever deploys the bot to name admins of `{job.Environment}` in `{GuardrailsOptions.Section}:Environments:{job.Environment}:Admins`";
        var ask = job.Origin.ChannelId is { } channel
            ? $"Ask in <#{channel}>, where the job ran, or {admins}."
            : $"{char.ToUpperInvariant(admins[0])}{admins[1..]}.";
        return $":no_entry: You can't read the log of job `{job.Id}` here: a job's log is shown only in the channel it ran in, "
            + $"to the person who started it, and to those who may run jobs of its service in `{job.Environment}` or are its admins.{access.Reason}\n"
            + $"{ask}\nRule: `{access.Rule}`.";
    }
}
