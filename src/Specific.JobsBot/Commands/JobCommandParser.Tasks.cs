namespace Specific.JobsBot.Commands;

/// <summary>The grammar of <c>/specific task run|list …</c>.</summary>
public static partial class JobCommandParser
{
    /// <summary>The command's first word, spelled as in the help and slack-app.yml's usage hint.</summary>
    public const string TaskWord = "task";

    private const string TaskRunUsage = "as in `task run web cache-clear` or `task run web report --env staging --timeout 20m`";

    private static JobCommand ParseTask(TextReader reader)
    {
        var subcommand = reader.ReadWord();
        return subcommand switch
        {
            null => new InvalidCommand($"`{TaskWord}` needs a subcommand: `run` ({TaskRunUsage}) or `list`."),
            _ when Is(subcommand, "run") => ParseTaskRun(reader),
            _ when Is(subcommand, "list") => ParseTaskList(reader),
            _ => new InvalidCommand($"Unknown subcommand `{TaskWord} {Shorten(subcommand)}`: use `{TaskWord} run` or `{TaskWord} list`."),
        };
    }

    /// <summary><c>task run &lt;service&gt; &lt;task&gt;</c> with <c>--env</c>, <c>--name</c> and <c>--timeout</c> anywhere after <c>run</c>.</summary>
    private static JobCommand ParseTaskRun(TextReader reader)
    {
        var words = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.AtEnd)
            {
                break;
            }

            if (reader.PeekWord() is { Length: > 1 } token && token[0] == '-')
            {
                if (ReadOption(reader, options) is { } problem)
                {
                    return new InvalidCommand(problem);
                }

                continue;
            }

            words.Add(reader.ReadWord()!);
        }

        return words.Count switch
        {
            0 => new InvalidCommand($"`{TaskWord} run` needs a service and a task, {TaskRunUsage}. `{TaskWord} list` shows them."),
            1 => new InvalidCommand($"`{TaskWord} run {Shorten(words[0])}` needs a task name, {TaskRunUsage}. `{TaskWord} list {Shorten(words[0])}` shows its tasks."),
            2 => new RunTaskCommand(
                words[0], words[1], options.GetValueOrDefault(EnvOption), options.GetValueOrDefault(NameOption), options.GetValueOrDefault(TimeoutOption)),
            _ => new InvalidCommand(
                $"`{TaskWord} run` takes a service and a task name only, {TaskRunUsage}; a task's command is saved with it. " +
                $"To run a command of your own, use `job run {Shorten(words[0])} <command…>`."),
        };
    }

    private static JobCommand ParseTaskList(TextReader reader)
    {
        var service = reader.ReadWord();
        return reader.ReadWord() is null
            ? new ListTasksCommand(service)
            : new InvalidCommand($"`{TaskWord} list` takes at most one service, as in `{TaskWord} list web`.");
    }
}
