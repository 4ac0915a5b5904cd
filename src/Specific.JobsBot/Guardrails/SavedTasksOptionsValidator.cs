using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.JobsBot.Guardrails;

/// <summary>
/// Checks the saved tasks before the bot serves anyone: service and task names, a command for each, a time limit that
/// reads and fits every environment it is offered in, environments that are configured, and no misspelt key (a
/// misspelt <c>Environments</c> would silently offer a task everywhere). Each problem names its entry.
/// </summary>
public sealed partial class SavedTasksOptionsValidator(IConfiguration configuration, IOptions<EnvironmentsOptions> environments)
    : IValidateOptions<SavedTasksOptions>
{
    /// <summary>The longest task name: it is typed in a slash command and shown in a menu.</summary>
    public const int MaxNameLength = 40;

    public ValidateOptionsResult Validate(string? name, SavedTasksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        CheckKeys(configuration.GetSection(SavedTasksOptions.Section), problems);
        var targets = environments.Value;
        var configured = targets.Targets.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var (service, tasks) in options.Services)
        {
            if (!ServiceName().IsMatch(service))
            {
                problems.Add($"{SavedTasksOptions.Section}:{service}: '{service}' is not a service name (a Deployment name: lowercase letters, digits and '-', at most 63).");
            }

            foreach (var (task, settings) in tasks)
            {
                var path = $"{SavedTasksOptions.Section}:{service}:{task}";
                if (!TaskName().IsMatch(task))
                {
                    problems.Add($"{path}: '{task}' is not a task name; use a slug of lowercase letters, digits and '-' " +
                                 $"(at most {MaxNameLength}, starting and ending with a letter or digit), as in 'cache-clear'.");
                }

                if (string.IsNullOrWhiteSpace(settings.Command))
                {
                    problems.Add($"{path}:Command is not set: set it to what the task runs under sh -c, as in './bin/rake cache:clear'.");
                }

                for (var i = 0; i < settings.Environments.Count; i++)
                {
                    if (!targets.Targets.ContainsKey(settings.Environments[i]))
                    {
                        problems.Add($"{path}:Environments:{i} is '{settings.Environments[i]}', not a configured environment; " +
                                     (configured.Count == 0 ? "Environments:Targets is empty." : $"Environments:Targets has {string.Join(", ", configured)}."));
                    }
                }

                CheckTimeout(path, service, settings, targets, problems);
            }
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => "Invalid saved task: " + p));
    }

    /// <summary>The limit reads as <c>hh:mm:ss</c>, is at least a second, and is within the maximum of every environment the task is offered in.</summary>
    private static void CheckTimeout(string path, string service, SavedTaskSettings settings, EnvironmentsOptions targets, List<string> problems)
    {
        if (settings.Timeout is null)
        {
            return;
        }

        if (!SavedTask.TryParseTimeout(settings.Timeout, out var limit))
        {
            problems.Add($"{path}:Timeout is '{settings.Timeout}', not a duration: write it as hh:mm:ss, as in '00:10:00' (10 minutes).");
            return;
        }

        if (limit < TimeoutRange.Min)
        {
            problems.Add($"{path}:Timeout is {limit}; a job's time limit is at least one second. Set it like '00:10:00' (10 minutes).");
            return;
        }

        var offered = settings.Environments.Count > 0 ? settings.Environments : targets.Targets.Keys.ToList();
        foreach (var environment in offered.Where(targets.Targets.ContainsKey).Order(StringComparer.Ordinal))
        {
            var max = targets.TimeoutFor(environment, service).Max;
            if (limit > max)
            {
                problems.Add($"{path}:Timeout is {limit}, above the {max} that jobs of {service} may run in {environment}: lower it, " +
                             $"raise Environments:Targets:{environment}:Timeout:Max (or its Services:{service}:Timeout:Max), or offer the task elsewhere ({path}:Environments).");
            }
        }
    }

    /// <summary>Every key under a task must be one a task has; a list is numbered.</summary>
    private static void CheckKeys(IConfigurationSection root, List<string> problems)
    {
        foreach (var setting in root.GetChildren().SelectMany(service => service.GetChildren()).SelectMany(task => task.GetChildren()))
        {
            if (!SavedTask.Keys.Any(key => string.Equals(key, setting.Key, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{setting.Path} is not a task setting; a task has {string.Join(", ", SavedTask.Keys)}.");
            }
            else if (string.Equals(setting.Key, "Environments", StringComparison.OrdinalIgnoreCase) && setting.Value is { Length: > 0 } single)
            {
                problems.Add($"{setting.Path} is '{single}', a single value; list the environments as {setting.Path}:0, {setting.Path}:1, … (a JSON array).");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")]
    private static partial Regex TaskName();
}
