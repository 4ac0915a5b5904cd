namespace Specific.JobsBot.Hosting;

/// <summary>What this process does: serve Slack, host the Temporal worker, or run everything offline.</summary>
public enum BotRole
{
    /// <summary>Serves Slack's requests and keeps job threads current; starts flows on Temporal.</summary>
    Bot,

    /// <summary>Hosts the Temporal worker that runs the job flow's workflow and activities.</summary>
    Worker,

    /// <summary>One process with the Slack stand-in, the cluster simulator and the in-process runner.</summary>
    Sandbox,
}

/// <summary>Reads the role from the command line: <c>bot</c> (the default), <c>worker</c> or <c>--sandbox</c>.</summary>
public static class BotRoles
{
    public const string SandboxFlag = "--sandbox";

    public static BotRole FromArgs(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains(SandboxFlag, StringComparer.Ordinal))
        {
            return BotRole.Sandbox;
        }

        return args.Any(a => string.Equals(a, "worker", StringComparison.OrdinalIgnoreCase)) ? BotRole.Worker : BotRole.Bot;
    }
}
