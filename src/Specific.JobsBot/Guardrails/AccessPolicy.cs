using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.JobsBot.Guardrails;

/// <summary>Who is asking, and from where.</summary>
public sealed record Actor(string UserId, string? ChannelId, string? TeamId);

/// <summary>Whether an action may go ahead, the configuration entry that decided, and who can change it.</summary>
/// <param name="Rule">The entry that decided, as in <c>Guardrails:Environments:production:Run:Users</c>.</param>
/// <param name="Reason">Why, in words for the person (mrkdwn, with Slack mentions).</param>
/// <param name="Admins">The environment's admins as Slack mentions: who can grant access.</param>
public sealed record AccessDecision(bool Allowed, string Environment, string Rule, string Reason, IReadOnlyList<string> Admins)
{
    /// <summary>The ephemeral answer to a refusal: what was refused, by which rule, and whom to ask.</summary>
    public string RefusalText(string what)
    {
        var ask = Admins.Count > 0
            ? $"Ask an admin of `{Environment}` for access: {string.Join(", ", Admins)}."
            : $"`{Environment}` has no admins yet: whoever deploys the bot can name them in `{GuardrailsOptions.Section}:Environments:{Environment}:Admins`.";
        return $":no_entry: You can't {what}: {Reason}\nRule: `{Rule}`. {ask}";
    }
}

/// <summary>The decision about a run, and what the policy asks of it when allowed.</summary>
/// <param name="ConfirmationRule">The entry that asks for confirmation; null when none is needed.</param>
/// <param name="RunAloneRule">The entry that allows one unfinished job at a time on the service; null when not set.</param>
public sealed record RunDecision(AccessDecision Access, string? ConfirmationRule, string? RunAloneRule)
{
    public bool Allowed => Access.Allowed;

    public bool RequiresConfirmation => ConfirmationRule is not null;

    public bool RunsAlone => RunAloneRule is not null;
}

/// <summary>
/// Evaluates the guardrails policy (<see cref="GuardrailsOptions"/>). An environment without a policy is open to
/// everyone without confirmation, except production, which is closed until a policy opens it. Admins (of the
/// environment, or of all) may always run, cancel any job there, and read the audit trail.
/// </summary>
public sealed class AccessPolicy(IOptionsMonitor<GuardrailsOptions> options, IUserGroupMembers groups)
{
    private const string Anyone = "*";

    /// <summary>The rule that lets a job's own channel read its log.</summary>
    public const string JobChannelRule = "job's channel";

    /// <summary>The rule that keeps a job's log from everyone else: need to know.</summary>
    public const string NeedToKnowRule = "need to know: the job's channel, its starter, the environment's runners and admins";

    private GuardrailsOptions Options => options.CurrentValue;

    /// <summary>May <paramref name="actor"/> run a job on <paramref name="service"/> in <paramref name="environment"/>, and on what terms.</summary>
    public async Task<RunDecision> DecideRunAsync(string environment, string service, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var admins = AdminMentions(environment);
        var environmentPath = EnvironmentPath(environment);
        if (!Options.Environments.TryGetValue(environment, out var policy))
        {
            return environment == GuardrailsOptions.Production
                ? new RunDecision(
                    new AccessDecision(false, environment, environmentPath, $"`{environment}` is closed until a policy opens it, and it has none.", admins),
                    null, null)
                : new RunDecision(new AccessDecision(true, environment, environmentPath, $"`{environment}` has no policy, so it is open.", admins), null, null);
        }

        var servicePolicy = policy.Services.GetValueOrDefault(service);
        var servicePath = $"{environmentPath}:Services:{service}";
        var confirmation = servicePolicy?.RequireConfirmation is { } serviceConfirms
            ? serviceConfirms ? $"{servicePath}:RequireConfirmation" : null
            : policy.RequireConfirmation is { } environmentConfirms
                ? environmentConfirms ? $"{environmentPath}:RequireConfirmation" : null
                : environment == GuardrailsOptions.Production ? $"{environmentPath}:RequireConfirmation (on by default in production)" : null;
        var runAlone = servicePolicy?.ExclusiveRun == true ? $"{servicePath}:ExclusiveRun" : null;

        var (audience, runPath) = servicePolicy?.Run is { } serviceRun ? (serviceRun, $"{servicePath}:Run") : (policy.Run, $"{environmentPath}:Run");
        var access = await DecideAudienceAsync(environment, service, audience, runPath, actor, admins, cancellationToken);
        return new RunDecision(access, confirmation, runAlone);
    }

    /// <summary>May <paramref name="actor"/> cancel <paramref name="job"/>: the person who started it, or an admin of its environment.</summary>
    public async Task<AccessDecision> DecideCancelAsync(JobRecord job, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(actor);
        var admins = AdminMentions(job.Environment);
        if (string.Equals(job.Origin.UserId, actor.UserId, StringComparison.Ordinal))
        {
            return new AccessDecision(true, job.Environment, "starter", "you started it.", admins);
        }

        var (isAdmin, adminRule, lookupProblem) = await IsAdminAsync(job.Environment, actor.UserId, cancellationToken);
        if (isAdmin)
        {
            return new AccessDecision(true, job.Environment, adminRule!, $"you are an admin of `{job.Environment}`.", admins);
        }

        var starter = job.Origin.UserId is { } id ? $"<@{id}>, who started it," : "the person who started it";
        return new AccessDecision(
            false, job.Environment, $"{EnvironmentPath(job.Environment)}:Admins",
            $"only {starter} and the admins of `{job.Environment}` can cancel job `{job.Id}`.{lookupProblem}", admins);
    }

    /// <summary>May <paramref name="actor"/> read the audit trail of <paramref name="environment"/>: its admins only.</summary>
    public async Task<AccessDecision> DecideAuditAsync(string environment, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var admins = AdminMentions(environment);
        var (isAdmin, adminRule, lookupProblem) = await IsAdminAsync(environment, actor.UserId, cancellationToken);
        return isAdmin
            ? new AccessDecision(true, environment, adminRule!, $"you are an admin of `{environment}`.", admins)
            : new AccessDecision(
                false, environment, $"{EnvironmentPath(environment)}:Admins",
                $"only the admins of `{environment}` can read its audit trail.{lookupProblem}", admins);
    }

    /// <summary>
    /// May <paramref name="actor"/> read <paramref name="job"/>'s log (need to know): in the channel it ran in, as the
    /// person who started it, or as one who may run its service in its environment (admins included).
    /// </summary>
    public async Task<AccessDecision> DecideReadLogAsync(JobRecord job, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(actor);
        var admins = AdminMentions(job.Environment);
        if (job.Origin.ChannelId is { } channel && string.Equals(channel, actor.ChannelId, StringComparison.Ordinal))
        {
            return new AccessDecision(true, job.Environment, JobChannelRule, "the job ran in this channel.", admins);
        }

        if (string.Equals(job.Origin.UserId, actor.UserId, StringComparison.Ordinal))
        {
            return new AccessDecision(true, job.Environment, "starter", "you started it.", admins);
        }

        var (isAdmin, adminRule, lookupProblem) = await IsAdminAsync(job.Environment, actor.UserId, cancellationToken);
        if (isAdmin)
        {
            return new AccessDecision(true, job.Environment, adminRule!, $"you are an admin of `{job.Environment}`.", admins);
        }

        var run = await DecideRunAsync(job.Environment, job.Service, actor, cancellationToken);
        return run.Allowed
            ? new AccessDecision(true, job.Environment, run.Access.Rule, "you may run its service there.", admins)
            : new AccessDecision(false, job.Environment, NeedToKnowRule, lookupProblem, admins);
    }

    /// <summary>Whether <paramref name="userId"/> is an admin of <paramref name="environment"/> (its own, or of all environments).</summary>
    public async Task<bool> IsAdminOfAsync(string environment, string userId, CancellationToken cancellationToken) =>
        (await IsAdminAsync(environment, userId, cancellationToken)).IsAdmin;

    /// <summary>Whether <paramref name="userId"/> is an admin of every environment (<c>Guardrails:Admins</c>).</summary>
    public async Task<bool> IsAdminEverywhereAsync(string userId, CancellationToken cancellationToken) =>
        Options.Admins.Users.Contains(userId, StringComparer.Ordinal)
        || (await FindGroupOfAsync(Options.Admins.Groups, userId, cancellationToken)).Group is not null;

    /// <summary>The environments a policy names, configured or not.</summary>
    public IReadOnlyCollection<string> PolicyEnvironments => Options.Environments.Keys.ToList();

    /// <summary>The admins of an environment (its own, then those of all environments) as Slack mentions.</summary>
    public IReadOnlyList<string> AdminMentions(string environment)
    {
        var own = Options.Environments.GetValueOrDefault(environment)?.Admins ?? new PeopleList();
        return own.Users.Concat(Options.Admins.Users).Select(u => $"<@{u}>")
            .Concat(own.Groups.Concat(Options.Admins.Groups).Select(g => $"<!subteam^{g}>"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private async Task<AccessDecision> DecideAudienceAsync(
        string environment, string service, Audience? audience, string runPath, Actor actor, IReadOnlyList<string> admins,
        CancellationToken cancellationToken)
    {
        var where = $"jobs on `{service}` in `{environment}`";
        var (isAdmin, adminRule, _) = await IsAdminAsync(environment, actor.UserId, cancellationToken);
        if (isAdmin)
        {
            return new AccessDecision(true, environment, adminRule!, $"you are an admin of `{environment}`.", admins);
        }

        if (audience is null || audience.IsEmpty)
        {
            return new AccessDecision(false, environment, runPath, $"the policy lets only the admins of `{environment}` run {where}.", admins);
        }

        if (audience.Channels.Count > 0 && (actor.ChannelId is null || !audience.Channels.Contains(actor.ChannelId, StringComparer.Ordinal)))
        {
            var channels = string.Join(", ", audience.Channels.Select(c => $"<#{c}>"));
            return new AccessDecision(false, environment, $"{runPath}:Channels", $"{where} can only be started from {channels}.", admins);
        }

        if (!audience.NamesPeople)
        {
            return new AccessDecision(true, environment, $"{runPath}:Channels", "this channel may run them.", admins);
        }

        if (audience.Users.Contains(Anyone, StringComparer.Ordinal) || audience.Users.Contains(actor.UserId, StringComparer.Ordinal))
        {
            return new AccessDecision(true, environment, $"{runPath}:Users", "you are listed.", admins);
        }

        var (group, lookupProblem) = await FindGroupOfAsync(audience.Groups, actor.UserId, cancellationToken);
        if (group is not null)
        {
            return new AccessDecision(true, environment, $"{runPath}:Groups", $"you are in <!subteam^{group}>.", admins);
        }

        var allowed = string.Join(", ", audience.Users.Select(u => $"<@{u}>").Concat(audience.Groups.Select(g => $"members of <!subteam^{g}>")));
        return new AccessDecision(
            false, environment, (audience.Users.Count, audience.Groups.Count) switch
            {
                (> 0, > 0) => $"{runPath}:Users and :Groups",
                (0, _) => $"{runPath}:Groups",
                _ => $"{runPath}:Users",
            },
            $"only {allowed} may run {where}.{lookupProblem}", admins);
    }

    private async Task<(bool IsAdmin, string? Rule, string LookupProblem)> IsAdminAsync(
        string environment, string userId, CancellationToken cancellationToken)
    {
        var own = Options.Environments.GetValueOrDefault(environment)?.Admins;
        var environmentAdmins = $"{EnvironmentPath(environment)}:Admins";
        if (own?.Users.Contains(userId, StringComparer.Ordinal) == true)
        {
            return (true, $"{environmentAdmins}:Users", "");
        }

        if (Options.Admins.Users.Contains(userId, StringComparer.Ordinal))
        {
            return (true, $"{GuardrailsOptions.Section}:Admins:Users", "");
        }

        var (group, problem) = await FindGroupOfAsync(own?.Groups ?? [], userId, cancellationToken);
        if (group is not null)
        {
            return (true, $"{environmentAdmins}:Groups", "");
        }

        var (globalGroup, globalProblem) = await FindGroupOfAsync(Options.Admins.Groups, userId, cancellationToken);
        return globalGroup is not null ? (true, $"{GuardrailsOptions.Section}:Admins:Groups", "") : (false, null, problem + globalProblem);
    }

    /// <summary>The first of <paramref name="groupIds"/> the user belongs to; a group that cannot be read counts as not theirs, and says so.</summary>
    private async Task<(string? Group, string Problem)> FindGroupOfAsync(
        IReadOnlyList<string> groupIds, string userId, CancellationToken cancellationToken)
    {
        var problem = "";
        foreach (var groupId in groupIds)
        {
            try
            {
                if ((await groups.MembersOfAsync(groupId, cancellationToken)).Contains(userId))
                {
                    return (groupId, "");
                }
            }
            catch (UserGroupLookupException ex)
            {
                problem += $" (Couldn't check whether you are in <!subteam^{groupId}>: {ex.Reason}. Try again in a moment.)";
            }
        }

        return (null, problem);
    }

    /// <summary>
    /// The entry that lets only saved tasks run on <paramref name="service"/> in <paramref name="environment"/> (the
    /// service's SavedTasksOnly, else the environment's); null when free commands may run there.
    /// </summary>
    public string? SavedTasksOnlyRule(string environment, string service)
    {
        if (!Options.Environments.TryGetValue(environment, out var policy))
        {
            return null;
        }

        var environmentPath = EnvironmentPath(environment);
        return policy.Services.GetValueOrDefault(service)?.SavedTasksOnly is { } byService
            ? byService ? $"{environmentPath}:Services:{service}:SavedTasksOnly" : null
            : policy.SavedTasksOnly == true ? $"{environmentPath}:SavedTasksOnly" : null;
    }

    private static string EnvironmentPath(string environment) => $"{GuardrailsOptions.Section}:Environments:{environment}";
}
