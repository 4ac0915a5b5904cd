namespace Specific.JobsBot.Commands;

/// <summary>The grammar of <c>/specific notify [on|off]</c>.</summary>
public static partial class JobCommandParser
{
    /// <summary>The command's first word, spelled as in the help and slack-app.yml's usage hint.</summary>
    public const string NotifyWord = "notify";

    public const string NotifyOn = "on";
    public const string NotifyOff = "off";

    private static JobCommand ParseNotify(TextReader reader)
    {
        const string usage = $"as in `{NotifyWord} {NotifyOff}`, `{NotifyWord} {NotifyOn}`, or `{NotifyWord}` alone to see your setting";
        var choice = reader.ReadWord();
        if (choice is null)
        {
            return new NotifyCommand(null);
        }

        if (reader.ReadWord() is not null)
        {
            return new InvalidCommand($"`{NotifyWord}` takes one word, `{NotifyOn}` or `{NotifyOff}`, {usage}.");
        }

        return Is(choice, NotifyOn) ? new NotifyCommand(true)
            : Is(choice, NotifyOff) ? new NotifyCommand(false)
            : new InvalidCommand($"`{NotifyWord}` takes `{NotifyOn}` or `{NotifyOff}`, not `{Shorten(choice)}`, {usage}.");
    }
}
