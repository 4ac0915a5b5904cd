using System.Globalization;
using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Guardrails;

/// <summary>
/// Named commands per service, bound from <c>Tasks:&lt;service&gt;:&lt;task&gt;</c> and validated at start-up by
/// <see cref="SavedTasksOptionsValidator"/>. An environment (or one service there) with <c>SavedTasksOnly</c> runs
/// nothing else.
/// </summary>
public sealed class SavedTasksOptions
{
    public const string Section = "Tasks";

    /// <summary>Service (Deployment) name to its tasks by name.</summary>
    public Dictionary<string, Dictionary<string, SavedTaskSettings>> Services { get; } = new(StringComparer.Ordinal);
}

/// <summary>One task as configuration states it; <see cref="SavedTasksOptionsValidator"/> checks every part.</summary>
public sealed class SavedTaskSettings
{
    /// <summary>What runs, under <c>sh -c</c>, exactly as a free command would.</summary>
    public string? Command { get; init; }

    /// <summary>One line a person reads in the task list and in the run form's menu.</summary>
    public string? Description { get; init; }

    /// <summary>The task's own time limit (<c>hh:mm:ss</c>), its default; the environment's maximum still applies.</summary>
    public string? Timeout { get; init; }

    /// <summary>Where the task is offered; empty offers it in every configured environment.</summary>
    public List<string> Environments { get; init; } = [];
}

/// <summary>A saved task, read from a valid configuration.</summary>
/// <param name="Environments">Where it is offered; empty means every configured environment.</param>
public sealed record SavedTask(string Service, string Name, string Command, string? Description, TimeSpan? Timeout, IReadOnlyList<string> Environments)
{
    /// <summary>The keys a task may have, for the check that refuses a misspelt one.</summary>
    public static readonly IReadOnlyList<string> Keys = ["Command", "Description", "Timeout", "Environments"];

    /// <summary>Whether the task may run in <paramref name="environment"/>.</summary>
    public bool OfferedIn(string environment) => Environments.Count == 0 || Environments.Contains(environment, StringComparer.Ordinal);

    /// <summary>Where it is offered, in words: "every environment" or "`production`, `staging`".</summary>
    public string Where => Environments.Count == 0 ? "every environment" : string.Join(", ", Environments.Select(e => $"`{e}`"));

    /// <summary>A time limit as configuration writes it: <c>hh:mm:ss</c>, or <c>d.hh:mm:ss</c>.</summary>
    public static bool TryParseTimeout(string? text, out TimeSpan limit) =>
        TimeSpan.TryParseExact(text?.Trim(), ["c"], CultureInfo.InvariantCulture, out limit);
}

/// <summary>The saved tasks as the bot reads them: by service, by environment, and the one a name picks.</summary>
public sealed class SavedTaskCatalog(IOptionsMonitor<SavedTasksOptions> options)
{
    /// <summary>The tasks of <paramref name="service"/> (every service when null), by service then name.</summary>
    public IReadOnlyList<SavedTask> List(string? service = null) =>
        options.CurrentValue.Services
            .Where(s => service is null || string.Equals(s.Key, service, StringComparison.Ordinal))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .SelectMany(s => s.Value.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => Read(s.Key, t.Key, t.Value)))
            .ToList();

    /// <summary>The tasks of <paramref name="service"/> offered in <paramref name="environment"/>.</summary>
    public IReadOnlyList<SavedTask> OfferedIn(string service, string environment) =>
        List(service).Where(task => task.OfferedIn(environment)).ToList();

    /// <summary>The task named <paramref name="name"/> of <paramref name="service"/>, wherever it is offered; null when there is none.</summary>
    public SavedTask? Find(string service, string name) =>
        options.CurrentValue.Services.TryGetValue(service, out var tasks) && tasks.TryGetValue(name, out var settings)
            ? Read(service, name, settings)
            : null;

    private static SavedTask Read(string service, string name, SavedTaskSettings settings) =>
        new(service, name, settings.Command ?? "", string.IsNullOrWhiteSpace(settings.Description) ? null : settings.Description.Trim(),
            SavedTask.TryParseTimeout(settings.Timeout, out var limit) ? limit : null, settings.Environments);
}
