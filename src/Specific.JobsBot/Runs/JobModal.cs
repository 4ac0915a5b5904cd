using System.Text.Json;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Guardrails;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Runs;

/// <summary>What the run modal carries back in <c>private_metadata</c>: where to post, what it re-runs, what it asked to confirm.</summary>
/// <param name="ChannelId">Where the job's message goes; null when the form asks for it (<paramref name="PickChannel"/>).</param>
/// <param name="Environment">The environment whose services the service menu lists.</param>
/// <param name="Asked">
/// The confirmation reasons the form showed with its confirmation field (comma-separated keys of
/// <see cref="ConfirmationReason"/>); null when it has no such field.
/// </param>
/// <param name="PickChannel">
/// True when the form was opened where no channel is known (the "Run a job" shortcut) and carries a channel field; null
/// otherwise, so the metadata of every other form reads as it always did.
/// </param>
public sealed record JobModalMetadata(string? ChannelId, string Environment, string? RerunOf = null, string? Asked = null, bool? PickChannel = null)
{
    /// <summary>The form opened from the "Run a job" shortcut: no channel yet, the person picks one.</summary>
    public static JobModalMetadata FromShortcut(string environment) => new(null, environment, PickChannel: true);

    /// <summary>True when the form showed every one of <paramref name="reasons"/> beside its confirmation field.</summary>
    public bool HasAsked(IEnumerable<ConfirmationReason> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var asked = Asked?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return Asked is not null && reasons.All(r => asked.Contains(r.Key, StringComparer.Ordinal));
    }

    /// <summary>The metadata of a form that asks for <paramref name="reasons"/>; none clears the confirmation field.</summary>
    public JobModalMetadata Asking(IReadOnlyList<ConfirmationReason> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        return this with { Asked = reasons.Count == 0 ? null : string.Join(',', reasons.Select(r => r.Key)) };
    }
}

/// <summary>What the run modal shows: the fields' current values and the choices offered. Rendering is <see cref="JobModal"/>.</summary>
/// <param name="Services">The live services of <see cref="Environment"/>, or null when they could not be listed.</param>
/// <param name="ServicesProblem">Why the services are not offered as a menu, said under the service field.</param>
/// <param name="Channel">The channel already picked in a form that asks for one.</param>
/// <param name="Tasks">The saved tasks offered in <see cref="Environment"/>, for the task menu; none: no menu.</param>
/// <param name="Task">The task picked (of <see cref="Service"/>), as a re-run of a task's job has it.</param>
/// <param name="SavedTasksOnlyNote">Where only saved tasks run here, said under the free command field.</param>
public sealed record JobModalModel(
    JobModalMetadata Metadata,
    IReadOnlyList<string> Environments,
    IReadOnlyList<string>? Services,
    string? ServicesProblem,
    string? Service = null,
    string? Name = null,
    string? Command = null,
    IReadOnlyList<ConfirmationReason>? Confirmations = null,
    string? Timeout = null,
    string? Channel = null,
    IReadOnlyList<SavedTask>? Tasks = null,
    string? Task = null,
    string? SavedTasksOnlyNote = null)
{
    public string Environment => Metadata.Environment;
}

/// <summary>The "Run a job" modal: its identifiers, how it renders and how a submission reads back.</summary>
public static partial class JobModal
{
    public const string CallbackId = "job_run_modal";

    /// <summary>The global shortcut "Run a job" (slack-app.yml): it opens this modal with a channel field.</summary>
    public const string ShortcutCallbackId = "run_a_job";

    /// <summary>The shortcut's name and description, as slack-app.yml declares them.</summary>
    public const string ShortcutName = "Run a job";
    public const string ShortcutDescription = "Run a one-off job against a deployed service";

    /// <summary>Where the job's message goes, in a form opened from the shortcut.</summary>
    public const string ChannelBlock = "job_channel";

    public const string EnvironmentBlock = "job_environment";
    public const string NameBlock = "job_name";
    public const string CommandBlock = "job_command";
    public const string TimeoutBlock = "job_timeout";

    /// <summary>Where the person types the service name to confirm a start the guardrails ask about.</summary>
    public const string ConfirmBlock = "job_confirm";

    /// <summary>The service block id names its environment: a new menu after a switch, so Slack keeps no stale choice.</summary>
    public const string ServiceBlockPrefix = "job_service_";

    public const string EnvironmentAction = "job_modal_environment";
    public const string ServiceAction = "job_modal_service";
    public const string NameAction = "job_modal_name";
    public const string CommandAction = "job_modal_command";
    public const string TimeoutAction = "job_modal_timeout";
    public const string ConfirmAction = "job_modal_confirm";
    public const string ChannelAction = "job_modal_channel";

    public static string ServiceBlock(string environment) => ServiceBlockPrefix + environment;

    public static ModalView Render(JobModalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var blocks = new List<Block>
        {
            EnvironmentInput(model),
            ServiceInput(model),
            new InputBlock(
                new PlainText("Name"),
                new PlainTextInputElement(NameAction)
                {
                    InitialValue = model.Name,
                    MaxLength = JobCommandParser.MaxNameLength,
                    Placeholder = new PlainText("nightly-backfill"),
                })
            { BlockId = NameBlock, Optional = true },
            new InputBlock(
                new PlainText("Command"),
                new PlainTextInputElement(CommandAction)
                {
                    InitialValue = model.Command,
                    Multiline = true,
                    MaxLength = JobCommandParser.MaxCommandLength,
                    Placeholder = new PlainText("./manage.py backfill --since 2024-01-01"),
                })
            {
                BlockId = CommandBlock,
                // With a task menu the command may stay empty: a picked task's command replaces it.
                Optional = model.Tasks is { Count: > 0 } ? true : null,
                Hint = new PlainText(CommandHint(model)),
            },
            new InputBlock(
                new PlainText("Time limit"),
                new PlainTextInputElement(TimeoutAction)
                {
                    InitialValue = model.Timeout,
                    MaxLength = 20,
                    Placeholder = new PlainText("30m"),
                })
            {
                BlockId = TimeoutBlock,
                Optional = true,
                Hint = new PlainText("The job is stopped after this long: 90s, 30m, 2h or 1h30m. Empty: the environment's default."),
            },
        };
        if (model.Tasks is { Count: > 0 })
        {
            // Right after the service: a task belongs to one.
            blocks.Insert(2, TaskInput(model));
        }

        if (model.Metadata.PickChannel == true)
        {
            blocks.Insert(0, ChannelInput(model));
        }

        if (model.Confirmations is { Count: > 0 } reasons)
        {
            // The reasons head the form, so they are read before anything is typed; the field to type comes last.
            blocks.InsertRange(0, reasons.Select(r => new SectionBlock(new Mrkdwn(Truncate(r.Text, BlockKitLimits.SectionText)))));
            blocks.Add(new InputBlock(
                new PlainText("Type the service name to confirm"),
                new PlainTextInputElement(ConfirmAction) { Placeholder = new PlainText(Truncate(model.Service ?? "service", 150)) })
            {
                BlockId = ConfirmBlock,
                Hint = new PlainText("The job starts only when this matches the service exactly."),
            });
        }

        if (model.Metadata.RerunOf is { } rerunOf)
        {
            blocks.Insert(0, new ContextBlock([new Mrkdwn($"Re-running `{rerunOf}`. Change anything before you run it again.")]));
        }

        return new ModalView(new PlainText("Run a job"), blocks)
        {
            CallbackId = CallbackId,
            Submit = new PlainText("Run"),
            Close = new PlainText("Cancel"),
            PrivateMetadata = SlackJson.Serialize(model.Metadata),
        };
    }

    /// <summary>
    /// A shortcut names no channel, so the person picks where the job's message and thread go: channels only, since a
    /// job's thread is for the people who work there (a DM with the bot is for the slash command).
    /// </summary>
    private static InputBlock ChannelInput(JobModalModel model) =>
        new(
            new PlainText("Post in"),
            new ConversationsSelectElement(ChannelAction)
            {
                InitialConversation = model.Channel,
                Placeholder = new PlainText("Pick a channel"),
                Filter = new ConversationFilter([ConversationFilter.Public, ConversationFilter.Private]) { ExcludeBotUsers = true },
            })
        {
            BlockId = ChannelBlock,
            Hint = new PlainText("The job's message and its thread go here. The app must be in a private channel; it joins a public one."),
        };

    private static InputBlock EnvironmentInput(JobModalModel model)
    {
        var options = model.Environments.Take(BlockKitLimits.SelectOptions).Select(Option).ToList();
        return new InputBlock(
            new PlainText("Environment"),
            new StaticSelectElement(EnvironmentAction, options)
            {
                InitialOption = options.FirstOrDefault(o => o.Value == model.Environment),
            })
        {
            BlockId = EnvironmentBlock,
            // Choosing another environment sends a block action, so the service menu can follow it.
            DispatchAction = true,
        };
    }

    private static InputBlock ServiceInput(JobModalModel model)
    {
        var blockId = ServiceBlock(model.Environment);
        if (model.Services is { Count: > 0 and <= BlockKitLimits.SelectOptions } services)
        {
            var options = services.Select(Option).ToList();
            return new InputBlock(
                new PlainText("Service"),
                new StaticSelectElement(ServiceAction, options)
                {
                    InitialOption = options.FirstOrDefault(o => o.Value == model.Service),
                    Placeholder = new PlainText("Pick a deployed service"),
                })
            {
                BlockId = blockId,
                Hint = new PlainText($"The live Deployments of {model.Environment}."),
            };
        }

        // No menu to offer (the list failed, is empty or too long for one): the name is typed and checked on submit.
        return new InputBlock(
            new PlainText("Service"),
            new PlainTextInputElement(ServiceAction) { InitialValue = model.Service, Placeholder = new PlainText("web") })
        {
            BlockId = blockId,
            Hint = new PlainText(Truncate(model.ServicesProblem ?? $"Type the name of a Deployment in {model.Environment}.", 2000)),
        };
    }

    private static OptionObject Option(string value) => new(new PlainText(Truncate(value, BlockKitLimits.OptionText)), value);

    private static string Truncate(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";

    /// <summary>Reads the metadata back; null when it is missing or not ours.</summary>
    public static JobModalMetadata? ReadMetadata(ViewPayload view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (string.IsNullOrEmpty(view.PrivateMetadata))
        {
            return null;
        }

        try
        {
            var metadata = SlackJson.Deserialize<JobModalMetadata>(view.PrivateMetadata);
            // A record's constructor gets null for a missing property; metadata without an environment, or without a
            // channel it does not ask for, is not ours.
            return string.IsNullOrEmpty(metadata.Environment) || (string.IsNullOrEmpty(metadata.ChannelId) && metadata.PickChannel != true)
                ? null
                : metadata;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The values a submission carries, and the block id of the service field it had.</summary>
    public static (RunJobDraft Draft, string ServiceBlockId) ReadSubmission(ViewPayload view, JobModalMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(metadata);
        var serviceBlock = view.State.Values.Keys.FirstOrDefault(k => k.StartsWith(ServiceBlockPrefix, StringComparison.Ordinal))
            ?? ServiceBlock(metadata.Environment);
        var draft = new RunJobDraft(
            Service: view.ValueOf(serviceBlock, ServiceAction),
            Environment: view.ValueOf(EnvironmentBlock, EnvironmentAction) ?? metadata.Environment,
            Name: view.ValueOf(NameBlock, NameAction),
            Command: view.ValueOf(CommandBlock, CommandAction),
            Timeout: view.ValueOf(TimeoutBlock, TimeoutAction));
        draft = WithTask(draft, view);
        return (draft, serviceBlock);
    }

    /// <summary>Where the job's message goes: the channel the form came from, or the one picked in it (null when none yet).</summary>
    public static string? ReadChannel(ViewPayload view, JobModalMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.PickChannel == true ? view.ValueOf(ChannelBlock, ChannelAction) : metadata.ChannelId;
    }

    /// <summary>What the person typed into the confirmation field, or null when the form has none.</summary>
    public static string? ReadConfirmation(ViewPayload view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.ValueOf(ConfirmBlock, ConfirmAction);
    }

    /// <summary>Validation problems keyed by the block id of the field they belong to.</summary>
    /// <param name="taskBlockId">The task menu's block id in the submitted form; null when it had none (a task problem then goes under the command).</param>
    public static IReadOnlyDictionary<string, string> ErrorsByBlock(RunJobValidation validation, string serviceBlockId, string? taskBlockId = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return validation.Problems.ToDictionary(
            p => p.Key switch
            {
                RunJobField.Service => serviceBlockId,
                RunJobField.Environment => EnvironmentBlock,
                RunJobField.Name => NameBlock,
                RunJobField.Timeout => TimeoutBlock,
                RunJobField.Task when taskBlockId is not null => taskBlockId,
                _ => CommandBlock,
            },
            p => p.Value);
    }
}
