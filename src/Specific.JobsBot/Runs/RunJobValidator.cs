using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Runs;

/// <summary>The fields of a job to run, as the slash command or the modal gave them; any may be missing.</summary>
/// <param name="Timeout">The time limit as typed (<c>30m</c>); missing for the default of the service and environment.</param>
/// <param name="Task">A saved task of the service: its command replaces <paramref name="Command"/>, its limit is the default.</param>
public sealed record RunJobDraft(string? Service, string? Environment, string? Name, string? Command, string? Timeout = null, string? Task = null);

/// <summary>The field a validation problem belongs to, so the modal can show it beside that field.</summary>
public enum RunJobField
{
    Service,
    Environment,
    Name,
    Command,
    Timeout,
    Task,
}

/// <summary>Either a request ready to record, or what is wrong with each field.</summary>
public sealed record RunJobValidation(JobRequest? Request, IReadOnlyDictionary<RunJobField, string> Problems)
{
    public bool IsValid => Request is not null;

    /// <summary>Every problem, one per line, in field order.</summary>
    public string Describe() => string.Join('\n', Problems.OrderBy(p => p.Key).Select(p => p.Value));
}

/// <summary>
/// Checks a job against what exists right now: a configured environment, a live Deployment for the service (with
/// the closest names when there is none), a command within limits, a time limit within the range configured for the
/// service there (its default when none is given). Shared by the slash command and the modal.
/// </summary>
public sealed class RunJobValidator(IServiceCatalog catalog, IOptionsMonitor<EnvironmentsOptions> environments, SavedTaskCatalog tasks)
{
    /// <summary>How long the front door waits for the service list before it says so; Slack gives it 3 s in all.</summary>
    public static readonly TimeSpan CatalogBudget = TimeSpan.FromSeconds(2);

    /// <summary>The configured environments, the default first.</summary>
    public IReadOnlyList<string> EnvironmentNames() => ConfiguredEnvironments.NamesOf(environments.CurrentValue);

    public string DefaultEnvironment => environments.CurrentValue.Default;

    public async Task<RunJobValidation> ValidateAsync(
        RunJobDraft draft, JobOrigin origin, string? rerunOf, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<RunJobField, string>();
        var environment = string.IsNullOrWhiteSpace(draft.Environment) ? DefaultEnvironment : draft.Environment.Trim();
        var service = draft.Service?.Trim() ?? "";
        var name = string.IsNullOrWhiteSpace(draft.Name) ? null : draft.Name.Trim();
        var command = draft.Command ?? "";
        var task = FindTask(draft.Task, service, environment, out var taskProblem);
        if (taskProblem is not null)
        {
            problems[RunJobField.Task] = taskProblem;
        }

        // A task's command replaces whatever the free command field held; when the task is what is wrong, that is all that is said.
        command = task?.Command ?? command;
        if (taskProblem is null && string.IsNullOrWhiteSpace(command))
        {
            problems[RunJobField.Command] = "Missing command: say what to run.";
        }
        else if (taskProblem is null && command.Length > JobCommandParser.MaxCommandLength)
        {
            problems[RunJobField.Command] =
                $"The command is {command.Length:N0} characters long; the limit is {JobCommandParser.MaxCommandLength:N0}.";
        }

        if (name is not null && name.Length > JobCommandParser.MaxNameLength)
        {
            problems[RunJobField.Name] = $"The name is {name.Length:N0} characters long; the limit is {JobCommandParser.MaxNameLength}.";
        }

        if (environments.CurrentValue.Find(environment) is null)
        {
            var known = EnvironmentNames();
            problems[RunJobField.Environment] = known.Count == 0
                ? $"Unknown environment `{JobCommandParser.Shorten(environment)}`: no environments are configured."
                : $"Unknown environment `{JobCommandParser.Shorten(environment)}`. Configured: {string.Join(", ", known.Select(e => $"`{e}`"))}.";
        }
        else if (service.Length == 0)
        {
            problems[RunJobField.Service] = "Missing service: pick the service whose container the job copies.";
        }
        else
        {
            var serviceProblem = await CheckServiceAsync(service, environment, cancellationToken);
            if (serviceProblem is not null)
            {
                problems[RunJobField.Service] = serviceProblem;
            }
        }

        var range = environments.CurrentValue.TimeoutFor(environment, service);
        // A task's own limit is its default; the maximum of the service and environment still applies.
        range = task?.Timeout is { } own ? range with { Default = own < range.Max ? own : range.Max } : range;
        var timeout = CheckTimeout(draft.Timeout, range, service, environment, out var timeoutProblem);
        if (timeoutProblem is not null)
        {
            problems[RunJobField.Timeout] = timeoutProblem;
        }

        return problems.Count > 0
            ? new RunJobValidation(null, problems)
            : new RunJobValidation(new JobRequest(service, environment, command, name, origin, rerunOf) { Timeout = timeout, Task = task?.Name }, problems);
    }

    /// <summary>The saved task a draft names, when it is one of the service's and offered there; else why not, with the closest names.</summary>
    private SavedTask? FindTask(string? typed, string service, string environment, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(typed))
        {
            return null;
        }

        var name = typed.Trim();
        if (name.IndexOf(JobModal.TaskValueSeparator, StringComparison.Ordinal) is > 0 and var separator)
        {
            // From the run form: a task of another service than the one picked.
            var owner = JobCommandParser.Shorten(name[..separator]);
            problem = $"The task `{JobCommandParser.Shorten(name[(separator + 1)..])}` is one of `{owner}`'s, and the service picked is " +
                      $"`{JobCommandParser.Shorten(service)}`: pick `{owner}` as the service, or another task.";
            return null;
        }

        var list = $"`/specific task list {JobCommandParser.Shorten(service)}` lists them.";
        if (tasks.Find(service, name) is not { } task)
        {
            var known = tasks.List(service).Select(t => t.Name).ToList();
            var closest = ClosestNames.Find(name, known);
            problem = known.Count == 0
                ? $"`{JobCommandParser.Shorten(service)}` has no saved tasks; `/specific task list` shows every service's."
                : $"`{JobCommandParser.Shorten(service)}` has no task `{JobCommandParser.Shorten(name)}`." +
                  (closest.Count > 0 ? $" Did you mean {string.Join(" or ", closest.Select(t => $"`{t}`"))}?" : "") + $" {list}";
            return null;
        }

        if (!task.OfferedIn(environment))
        {
            problem = $"The task `{task.Name}` of `{task.Service}` is offered in {task.Where}, not in `{environment}`. {list}";
            return null;
        }

        return task;
    }

    /// <summary>The limit asked for, or the default when none is; a problem says the range and gives an example.</summary>
    private static TimeSpan CheckTimeout(string? typed, TimeoutRange range, string service, string environment, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(typed))
        {
            return range.Default;
        }

        var example = TimeoutText.Format(range.Max < TimeSpan.FromMinutes(30) ? range.Max : TimeSpan.FromMinutes(30));
        var allowed = $"Jobs of `{JobCommandParser.Shorten(service)}` in `{environment}` may run from `{TimeoutText.Format(TimeoutRange.Min)}` " +
                      $"to `{TimeoutText.Format(range.Max)}` ({JobTimeouts.Describe(range.Max)}): give a limit in that range, such as `{example}`, " +
                      $"or none for the default of `{TimeoutText.Format(range.Default)}`.";
        if (!TimeoutText.TryParse(typed, out var asked))
        {
            problem = $"The time limit `{JobCommandParser.Shorten(typed.Trim())}` is not a duration: write it as {TimeoutText.Forms}. {allowed}";
            return range.Default;
        }

        if (!range.Allows(asked))
        {
            var side = asked < TimeoutRange.Min ? "too short" : "too long";
            problem = $"The time limit `{TimeoutText.Format(asked)}` is {side}. {allowed}";
        }

        return asked;
    }

    /// <summary>
    /// The live services of an environment within the front door's budget, or why they could not be listed: a clause
    /// ("Couldn't list the services of `web` (…)") that each caller ends as its place needs.
    /// </summary>
    public Task<(IReadOnlyList<string>? Services, string? Problem)> ListServicesAsync(
        string environment, CancellationToken cancellationToken, TimeSpan? within = null) =>
        ListWithinBudgetAsync(catalog.ListServicesAsync, environment, cancellationToken, within);

    private static async Task<(IReadOnlyList<string>? Services, string? Problem)> ListWithinBudgetAsync(
        Func<string, CancellationToken, Task<IReadOnlyList<string>>> list, string environment,
        CancellationToken cancellationToken, TimeSpan? within = null)
    {
        var limit = within ?? CatalogBudget;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(limit);
        try
        {
            return (await list(environment, budget.Token), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"Couldn't list the services of `{environment}` within {limit.TotalSeconds:0.#} seconds");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, $"Couldn't list the services of `{environment}` ({ex.Message})");
        }
    }

    /// <summary>How a start refused for want of the service list ends its answer.</summary>
    private const string NothingStarted = "; nothing was started. Try again in a moment.";

    private async Task<string?> CheckServiceAsync(string service, string environment, CancellationToken cancellationToken)
    {
        var (services, problem) = await ListServicesAsync(environment, cancellationToken);
        if (services is null)
        {
            return problem + NothingStarted;
        }

        if (services.Contains(service, StringComparer.Ordinal))
        {
            return null;
        }

        // The list may be a few seconds old: a service deployed just now is checked live before it is refused.
        (services, problem) = await ListWithinBudgetAsync(catalog.ListFreshServicesAsync, environment, cancellationToken);
        if (services is null)
        {
            return problem + NothingStarted;
        }

        if (services.Contains(service, StringComparer.Ordinal))
        {
            return null;
        }

        var unknown = $"No service `{JobCommandParser.Shorten(service)}` is deployed in `{environment}`.";
        if (services.Count == 0)
        {
            return unknown + " No service is deployed there yet.";
        }

        var closest = ClosestNames.Find(service, services);
        if (closest.Count > 0)
        {
            return $"{unknown} Did you mean {string.Join(" or ", closest.Select(s => $"`{s}`"))}?";
        }

        const int shown = 10;
        var listed = string.Join(", ", services.Take(shown).Select(s => $"`{s}`"));
        return $"{unknown} Deployed there: {listed}{(services.Count > shown ? $" and {services.Count - shown} more" : "")}.";
    }
}
