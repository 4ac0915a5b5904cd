using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>The usage shown by <c>/specific help</c> and under every error.</summary>
public static class JobCommandUsage
{
    /// <summary>The slash command, spelled as in slack-app.yml.</summary>
    public const string SlashCommand = "/specific";

    public static string Text { get; } = string.Join('\n',
        "*Usage*",
        $"`{SlashCommand} job run <service> [--env <name>] [--name <label>] [--timeout <duration>] [--] <command…>` run a one-off command in a copy of the service's live container",
        $"`{SlashCommand} job run` open the form",
        $"`{SlashCommand} job list [<service>]` recent jobs",
        $"`{SlashCommand} job logs <job> [--grep <text> | --file]` the last lines of a job's log, the lines containing a text (case ignored), or the whole log as a file; works long after the pod is gone",
        $"`{SlashCommand} job cancel <job>` stop a job you started (an environment's admins may stop any)",
        $"`{SlashCommand} {JobCommandParser.TaskWord} run <service> <task> [--env <name>] [--name <label>] [--timeout <duration>]` run a saved task of the service (its own time limit unless `--timeout` says otherwise)",
        $"`{SlashCommand} {JobCommandParser.TaskWord} list [<service>]` the saved tasks: name, description, command and where each is offered",
        $"`{SlashCommand} job audit [<service>] [--env <name>]` who ran, re-ran, confirmed or cancelled what, allowed or refused (the environment's admins)",
        $"`{SlashCommand} {JobCommandParser.NotifyWord} [{JobCommandParser.NotifyOn}|{JobCommandParser.NotifyOff}]` a direct message when a long job you started ends (on unless you turn it off); alone, shows your setting",
        $"`{SlashCommand} help` this help",
        $"Everything after the service and its options runs verbatim under `sh -c` (quotes, pipes, `$VARS`, newlines); `--` ends the options. Commands up to {JobCommandParser.MaxCommandLength:N0} characters.",
        $"`--timeout` ({TimeoutText.Forms}) stops the job after that long; without it, the environment's default limit applies.",
        $"Example: `{SlashCommand} job run web --env staging -- ./manage.py backfill --since 2024-01-01`");

    /// <summary>What went wrong, then the usage: the reply to every command the bot cannot carry out.</summary>
    public static SlackMessage Problem(string problem) =>
        SlackMessage.Ephemeral($":warning: {problem}\n\n{Text}");
}
