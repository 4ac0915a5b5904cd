using Specific.JobsBot.Guardrails;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Runs;

/// <summary>The run modal's saved-task menu: a picked task's command replaces the free command.</summary>
public static partial class JobModal
{
    /// <summary>The task block id names its environment, as the service's does: a new menu after a switch.</summary>
    public const string TaskBlockPrefix = "job_task_";

    public const string TaskAction = "job_modal_task";

    /// <summary>The menu's first option: no task, run the command typed below.</summary>
    public const string NoTaskValue = "none";

    /// <summary>Between a task's service and its name in an option's value; neither name can hold it.</summary>
    public const char TaskValueSeparator = '/';

    public static string TaskBlock(string environment) => TaskBlockPrefix + environment;

    /// <summary>An option's value: the task's service and name.</summary>
    public static string TaskValue(string service, string task) => $"{service}{TaskValueSeparator}{task}";

    /// <summary>The block id of the task menu a submitted form had; null when it had none.</summary>
    public static string? TaskBlockIn(ViewPayload view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.State.Values.Keys.FirstOrDefault(k => k.StartsWith(TaskBlockPrefix, StringComparison.Ordinal));
    }

    private static InputBlock TaskInput(JobModalModel model)
    {
        var tasks = model.Tasks!.Take(BlockKitLimits.SelectOptions - 1).ToList();
        // One service's tasks read as names; several services' are told apart by theirs.
        var manyServices = tasks.Select(task => task.Service).Distinct(StringComparer.Ordinal).Count() > 1;
        var options = new List<OptionObject> { new(new PlainText("No task: run the command below"), NoTaskValue) };
        options.AddRange(tasks.Select(task => new OptionObject(
            new PlainText(Truncate(manyServices ? $"{task.Name} ({task.Service})" : task.Name, BlockKitLimits.OptionText)),
            TaskValue(task.Service, task.Name),
            task.Description is { } description ? new PlainText(Truncate(description, BlockKitLimits.OptionText)) : null)));
        var picked = model.Task is { } name && model.Service is { } service ? TaskValue(service, name) : null;
        return new InputBlock(
            new PlainText("Saved task"),
            new StaticSelectElement(TaskAction, options)
            {
                InitialOption = options.FirstOrDefault(o => o.Value == picked),
                Placeholder = new PlainText("Pick a saved task, or type a command below"),
            })
        {
            BlockId = TaskBlock(model.Environment),
            Optional = true,
            // Picking a task sends a block action, so the command field can say what the task runs.
            DispatchAction = true,
            Hint = new PlainText($"Named commands saved for {model.Environment}; a task's command replaces the one below, and its own time limit is the default."),
        };
    }

    /// <summary>What the free command field says: the picked task's command; else where only saved tasks run, that first.</summary>
    private static string CommandHint(JobModalModel model)
    {
        const string runs = "Runs as sh -c \"<command>\" in a copy of the service's live container: same image, env and secrets.";
        if (PickedTask(model) is { } task)
        {
            return Truncate($"Task {task.Name} ({task.Service}) runs: {task.Command} — this field is ignored while a task is picked.", 2000);
        }

        return model.SavedTasksOnlyNote is { } note
            ? Truncate($"{note} {runs}", 2000)
            : model.Tasks is { Count: > 0 } ? $"{runs} Leave it empty when you pick a task." : runs;
    }

    /// <summary>The offered task the form has picked: by name for the service picked, or by service/task for another.</summary>
    private static SavedTask? PickedTask(JobModalModel model) =>
        model.Task is { } picked && model.Tasks is { } tasks
            ? tasks.FirstOrDefault(t => TaskValue(t.Service, t.Name) == picked || (t.Name == picked && t.Service == model.Service))
            : null;

    /// <summary>The task a submission picked: its name when it belongs to the service picked, else service/task for the validator to explain.</summary>
    private static RunJobDraft WithTask(RunJobDraft draft, ViewPayload view)
    {
        if (TaskBlockIn(view) is not { } block || view.ValueOf(block, TaskAction) is not { Length: > 0 } value || value == NoTaskValue)
        {
            return draft;
        }

        var separator = value.IndexOf(TaskValueSeparator, StringComparison.Ordinal);
        var sameService = separator > 0 && string.Equals(value[..separator], draft.Service?.Trim(), StringComparison.Ordinal);
        return draft with { Task = sameService ? value[(separator + 1)..] : value };
    }
}
