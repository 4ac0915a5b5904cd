namespace Specific.JobsBot.Commands;

/// <summary>
/// The slash command grammar: turns the <c>text</c> of <c>/specific …</c> into a <see cref="JobCommand"/>. Pure: it
/// knows nothing of services or environments that exist; <c>RunJobValidator</c> (Runs) checks those.
/// </summary>
public static partial class JobCommandParser
{
    /// <summary>The longest command a job accepts. The modal's multi-line input caps at 3,000, so the text does too.</summary>
    public const int MaxCommandLength = 3000;

    /// <summary>The longest job name (label) accepted.</summary>
    public const int MaxNameLength = 80;

    public const string EnvOption = "--env";
    public const string NameOption = "--name";
    public const string TimeoutOption = "--timeout";
    public const string EndOfOptions = "--";
    public const string GrepOption = "--grep";
    public const string FileOption = "--file";

    /// <summary>The longest text <c>job logs --grep</c> searches for.</summary>
    public const int MaxGrepLength = 200;

    /// <summary>Parses the slash command's <c>text</c> as Slack sends it (with &amp;, &lt; and &gt; escaped).</summary>
    public static JobCommand Parse(string? text)
    {
        var reader = new TextReader(UnescapeSlackText(text ?? ""));
        var word = reader.ReadWord();
        if (word is null || Is(word, "help"))
        {
            return new HelpCommand();
        }

        if (Is(word, NotifyWord))
        {
            return ParseNotify(reader);
        }

        if (Is(word, TaskWord))
        {
            return ParseTask(reader);
        }

        if (!Is(word, "job"))
        {
            return new InvalidCommand($"Unknown command `{Shorten(word)}`.");
        }

        var subcommand = reader.ReadWord();
        return subcommand switch
        {
            null => new InvalidCommand("`job` needs a subcommand: `run`, `list`, `logs`, `cancel` or `audit`."),
            _ when Is(subcommand, "run") => ParseRun(reader),
            _ when Is(subcommand, "list") => ParseList(reader),
            _ when Is(subcommand, "logs") => ParseLogs(reader),
            _ when Is(subcommand, "audit") => ParseAudit(reader),
            _ when Is(subcommand, "cancel") => ParseJobReference(reader, "cancel", id => new CancelJobCommand(id)),
            _ when Is(subcommand, "help") => new HelpCommand(),
            _ => new InvalidCommand($"Unknown subcommand `job {Shorten(subcommand)}`."),
        };
    }

    /// <summary>
    /// Slack escapes exactly three characters in slash command text (&amp; &lt; &gt;) whatever should_escape says;
    /// undoing them here is what lets <c>a | b &gt; out &amp;&amp; c</c> reach the job verbatim. &amp;amp; goes last so
    /// that a literal "&amp;lt;" typed by the user stays "&amp;lt;".
    /// </summary>
    public static string UnescapeSlackText(string text) =>
        text.Replace("&lt;", "<", StringComparison.Ordinal)
            .Replace("&gt;", ">", StringComparison.Ordinal)
            .Replace("&amp;", "&", StringComparison.Ordinal);

    private static JobCommand ParseRun(TextReader reader)
    {
        string? service = null;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var optionsEnded = false;
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.AtEnd)
            {
                break;
            }

            var token = reader.PeekWord();
            if (!optionsEnded && token == EndOfOptions)
            {
                reader.ReadWord();
                optionsEnded = true;
                continue;
            }

            if (!optionsEnded && token.Length > 1 && token[0] == '-')
            {
                var problem = ReadOption(reader, options);
                if (problem is not null)
                {
                    return new InvalidCommand(problem);
                }

                continue;
            }

            if (service is null)
            {
                service = reader.ReadWord()!;
                continue;
            }

            break;
        }

        var command = reader.Rest();
        if (service is null)
        {
            return options.Count == 0 && !optionsEnded
                ? new OpenRunModalCommand()
                : new InvalidCommand("Missing service: name it first, as in `job run web echo hi`.");
        }

        if (string.IsNullOrWhiteSpace(command))
        {
            return new InvalidCommand($"Missing command: say what to run on `{Shorten(service)}`, as in `job run {Shorten(service)} echo hi`.");
        }

        if (command.Length > MaxCommandLength)
        {
            return new InvalidCommand(
                $"The command is {command.Length:N0} characters long; the limit is {MaxCommandLength:N0}. Put long scripts in the image and run them by name.");
        }

        return new RunJobCommand(
            service, options.GetValueOrDefault(EnvOption), options.GetValueOrDefault(NameOption), command,
            options.GetValueOrDefault(TimeoutOption));
    }

    /// <summary>
    /// Reads one option and its value (<c>--env staging</c>, <c>--env=staging</c>) into <paramref name="options"/>;
    /// returns the problem, if any. A <c>--timeout</c> is read as typed: the run validator checks it against the limits.
    /// </summary>
    private static string? ReadOption(TextReader reader, Dictionary<string, string> options)
    {
        var key = reader.ReadOptionKey();
        var value = reader.TryConsume('=') ? reader.ReadValue() : reader.SkipWhitespaceThenReadValue();
        if (key is not (EnvOption or NameOption or TimeoutOption))
        {
            return $"Unknown option `{Shorten(key)}`. Options are `{EnvOption}`, `{NameOption}` and `{TimeoutOption}`; put `{EndOfOptions}` before a command that starts with a dash.";
        }

        if (value.Problem is not null)
        {
            return $"`{key}` {value.Problem}";
        }

        if (string.IsNullOrWhiteSpace(value.Text))
        {
            var example = key switch { EnvOption => "staging", NameOption => "nightly-backfill", _ => "30m" };
            return $"`{key}` needs a value, as in `{key} {example}`.";
        }

        if (key == NameOption && value.Text.Length > MaxNameLength)
        {
            return $"The name is {value.Text.Length:N0} characters long; the limit is {MaxNameLength}.";
        }

        return options.TryAdd(key, value.Text) ? null : $"`{key}` is given twice.";
    }

    private static JobCommand ParseList(TextReader reader)
    {
        var service = reader.ReadWord();
        return reader.ReadWord() is null
            ? new ListJobsCommand(service)
            : new InvalidCommand("`job list` takes at most one service, as in `job list web`.");
    }

    /// <summary><c>job logs &lt;job&gt; [--grep &lt;text&gt;] [--file]</c>, the options before or after the job id.</summary>
    private static JobCommand ParseLogs(TextReader reader)
    {
        const string usage = "as in `job logs j-7k2m9x4q`, `job logs j-7k2m9x4q --grep \"timed out\"` or `job logs j-7k2m9x4q --file`";
        string? jobId = null, grep = null;
        var asFile = false;
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.AtEnd)
            {
                break;
            }

            if (reader.PeekWord() is { Length: > 1 } token && token[0] == '-')
            {
                var key = reader.ReadOptionKey();
                if (key == FileOption)
                {
                    if (reader.TryConsume('='))
                    {
                        return new InvalidCommand($"`{FileOption}` takes no value, {usage}.");
                    }

                    asFile = true;
                    continue;
                }

                if (key != GrepOption)
                {
                    return new InvalidCommand($"Unknown option `{Shorten(key)}` for `job logs`. Its options are `{GrepOption} <text>` and `{FileOption}`, {usage}.");
                }

                if (grep is not null)
                {
                    return new InvalidCommand($"`{GrepOption}` is given twice; search for one text at a time.");
                }

                var value = reader.TryConsume('=') ? reader.ReadValue() : reader.SkipWhitespaceThenReadValue();
                if (value.Problem is not null)
                {
                    return new InvalidCommand($"`{GrepOption}` {value.Problem}");
                }

                if (string.IsNullOrEmpty(value.Text))
                {
                    return new InvalidCommand($"`{GrepOption}` needs the text to look for, {usage}. Quote text with spaces.");
                }

                if (value.Text.Length > MaxGrepLength)
                {
                    return new InvalidCommand($"The text to look for is {value.Text.Length:N0} characters long; the limit is {MaxGrepLength}.");
                }

                grep = value.Text;
                continue;
            }

            if (jobId is not null)
            {
                return new InvalidCommand($"`job logs` takes one job id, {usage}. Quote a search text that has spaces.");
            }

            jobId = reader.ReadWord();
        }

        if (jobId is null)
        {
            return new InvalidCommand($"`job logs` needs a job id, {usage}.");
        }

        if (grep is not null && asFile)
        {
            return new InvalidCommand($"`{GrepOption}` and `{FileOption}` do not go together: search with `{GrepOption}`, or upload the whole log with `{FileOption}`.");
        }

        return new JobLogsCommand(jobId, grep, asFile);
    }

    /// <summary><c>job audit [&lt;service&gt;] [--env &lt;name&gt;]</c>, the option before or after the service.</summary>
    private static JobCommand ParseAudit(TextReader reader)
    {
        string? service = null;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.AtEnd)
            {
                return options.Keys.All(key => key == EnvOption)
                    ? new AuditCommand(service, options.GetValueOrDefault(EnvOption))
                    : new InvalidCommand($"`job audit` takes only `{EnvOption}`, as in `job audit web {EnvOption} staging`.");
            }

            if (reader.PeekWord() is { Length: > 1 } token && token[0] == '-')
            {
                if (ReadOption(reader, options) is { } problem)
                {
                    return new InvalidCommand(problem);
                }

                continue;
            }

            if (service is not null)
            {
                return new InvalidCommand($"`job audit` takes at most one service, as in `job audit web {EnvOption} staging`.");
            }

            service = reader.ReadWord();
        }
    }

    private static JobCommand ParseJobReference(TextReader reader, string subcommand, Func<string, JobCommand> create)
    {
        var jobId = reader.ReadWord();
        if (jobId is null)
        {
            return new InvalidCommand($"`job {subcommand}` needs a job id, as in `job {subcommand} j-7k2m9x4q`.");
        }

        return reader.ReadWord() is null
            ? create(jobId)
            : new InvalidCommand($"`job {subcommand}` takes one job id, as in `job {subcommand} j-7k2m9x4q`.");
    }

    private static bool Is(string word, string keyword) => string.Equals(word, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps an echoed word readable when someone pastes a novel into it.</summary>
    internal static string Shorten(string word) =>
        (word.Length <= 40 ? word : word[..40] + "…").Replace('`', '\'');

    private readonly record struct OptionValue(string Text, string? Problem);

    /// <summary>A cursor over the text: words are split on any whitespace, the rest is kept exactly as typed.</summary>
    private sealed class TextReader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        public string PeekWord()
        {
            var end = _position;
            while (end < text.Length && !char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            return text[_position..end];
        }

        public string? ReadWord()
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return null;
            }

            var word = PeekWord();
            _position += word.Length;
            return word;
        }

        public string ReadOptionKey()
        {
            var start = _position;
            while (!AtEnd && !char.IsWhiteSpace(text[_position]) && text[_position] != '=')
            {
                _position++;
            }

            return text[start.._position];
        }

        public bool TryConsume(char c)
        {
            if (AtEnd || text[_position] != c)
            {
                return false;
            }

            _position++;
            return true;
        }

        public OptionValue SkipWhitespaceThenReadValue()
        {
            SkipWhitespace();
            return ReadValue();
        }

        /// <summary>A word, or a quoted phrase ("…", '…' or the curly quotes Slack clients like to substitute).</summary>
        public OptionValue ReadValue()
        {
            if (AtEnd || char.IsWhiteSpace(text[_position]))
            {
                return new OptionValue("", null);
            }

            var close = text[_position] switch
            {
                '"' => '"',
                '\'' => '\'',
                '\u201C' => '\u201D',
                '\u2018' => '\u2019',
                _ => '\0',
            };
            if (close == '\0')
            {
                return new OptionValue(ReadWord()!, null);
            }

            var end = text.IndexOf(close, _position + 1);
            if (end < 0)
            {
                return new OptionValue("", $"has an opening quote `{text[_position]}` with no closing `{close}`.");
            }

            var value = text[(_position + 1)..end];
            _position = end + 1;
            return new OptionValue(value, null);
        }

        /// <summary>Everything from the cursor on, after the whitespace that separates it from what came before.</summary>
        public string Rest()
        {
            SkipWhitespace();
            return text[_position..];
        }
    }
}
