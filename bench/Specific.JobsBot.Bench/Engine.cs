namespace Specific.JobsBot.Bench;

/// <summary>Which job engine the bot under measurement runs: the RunJob workflow on a worker process, or its in-process runner.</summary>
public enum BotEngine
{
    /// <summary>The bot starts RunJob on the Temporal stand-in and a separate worker process runs it (production's shape).</summary>
    Temporal,

    /// <summary>The bot runs every job itself (<c>Bot__Engine=InProcess</c>, the engine of tests that need no worker).</summary>
    InProcess,
}

/// <summary>The <c>--engine temporal|inprocess</c> option: absent means both, Temporal first.</summary>
public static class BotEngines
{
    public const string Option = "--engine";

    /// <summary>The engines to measure, or null when the value names none of them.</summary>
    public static IReadOnlyList<BotEngine>? Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null => [BotEngine.Temporal, BotEngine.InProcess],
        "temporal" => [BotEngine.Temporal],
        "inprocess" => [BotEngine.InProcess],
        _ => null,
    };

    /// <summary>The name printed in tables and result files.</summary>
    public static string Name(this BotEngine engine) => engine == BotEngine.Temporal ? "temporal" : "inprocess";
}
