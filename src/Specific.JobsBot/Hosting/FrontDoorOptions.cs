using System.ComponentModel.DataAnnotations;
using Specific.Jobs;

namespace Specific.JobsBot.Hosting;

/// <summary>Where the bot listens. Bound from "Bot".</summary>
public sealed record BotOptions
{
    public const string Section = "Bot";

    public const string DefaultUrl = "http://127.0.0.1:3000";

    /// <summary>Bot:Url, the address Kestrel binds and Slack (or the stand-in) posts to.</summary>
    [Required(AllowEmptyStrings = false)]
    [Url]
    public string Url { get; init; } = DefaultUrl;

    /// <summary>Bot:Engine, how the bot role runs flows: Temporal (the default), or InProcess for a single replica without a worker.</summary>
    public JobEngineMode Engine { get; init; } = JobEngineMode.Temporal;
}
