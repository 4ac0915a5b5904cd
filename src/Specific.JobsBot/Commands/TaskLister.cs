using System.Text;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;
using Specific.JobsBot.Guardrails;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>
/// The <c>task list</c> answer: each saved task with its description, command, time limit and where it is offered, and
/// the places where only saved tasks run. Configuration, not job data, so it reads no store; commands are still redacted
/// by token shape, as every command shown.
/// </summary>
public sealed class TaskLister(SavedTaskCatalog tasks, AccessPolicy policy, IOptionsMonitor<EnvironmentsOptions> environments)
{
    /// <summary>The longest command shown in the list; the whole one is in the configuration.</summary>
    public const int CommandShown = 300;

    public SlackMessage Answer(ListTasksCommand list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var service = list.Service?.Trim();
        var found = tasks.List(service);
        if (found.Count == 0)
        {
            return SlackMessage.Ephemeral(NoneText(service));
        }

        var text = new StringBuilder(service is null ? "*Saved tasks*\n" : $"*Saved tasks of `{service}`*\n");
        foreach (var byService in found.GroupBy(task => task.Service))
        {
            if (service is null)
            {
                text.Append("*`").Append(byService.Key).Append("`*\n");
            }

            foreach (var task in byService)
            {
                text.Append("• `").Append(task.Name).Append('`')
                    .Append(task.Description is { } description ? $": {description}" : "")
                    .Append(" · offered in ").Append(task.Where)
                    .Append(task.Timeout is { } limit ? $" · limit {TimeoutText.Format(limit)}" : "")
                    .Append("\n```\n").Append(Shorten(SecretRedactor.ShapesOnly.Redact(task.Command).Replace("```", "'''", StringComparison.Ordinal))).Append("\n```\n");
            }

            if (OnlyTasksIn(byService.Key) is { Count: > 0 } only)
            {
                text.Append("_Only saved tasks run on `").Append(byService.Key).Append("` in ")
                    .Append(string.Join(", ", only.Select(e => $"`{e}`"))).Append("._\n");
            }
        }

        var example = found[0];
        text.Append($"Run one with `{JobCommandUsage.SlashCommand} {JobCommandParser.TaskWord} run {example.Service} {example.Name}` " +
                    $"(add `{JobCommandParser.EnvOption} <name>` or `{JobCommandParser.TimeoutOption} <duration>`).");
        return SlackMessage.Ephemeral(text.ToString());
    }

    private string NoneText(string? service)
    {
        if (service is null)
        {
            return $"No saved tasks are configured. Whoever deploys the bot adds them under `{SavedTasksOptions.Section}:<service>:<task>:Command`.";
        }

        var closest = ClosestNames.Find(service, tasks.List().Select(task => task.Service).Distinct(StringComparer.Ordinal));
        return $"`{JobCommandParser.Shorten(service)}` has no saved tasks." +
               (closest.Count > 0 ? $" Did you mean {string.Join(" or ", closest.Select(s => $"`{s}`"))}?" : "") +
               $" `{JobCommandUsage.SlashCommand} {JobCommandParser.TaskWord} list` shows every service's.";
    }

    /// <summary>The configured environments where the guardrails let only saved tasks run on <paramref name="service"/>.</summary>
    private List<string> OnlyTasksIn(string service) =>
        ConfiguredEnvironments.NamesOf(environments.CurrentValue)
            .Where(environment => policy.SavedTasksOnlyRule(environment, service) is not null)
            .ToList();

    private static string Shorten(string text) => text.Length <= CommandShown ? text : text[..(CommandShown - 1)] + "…";
}
