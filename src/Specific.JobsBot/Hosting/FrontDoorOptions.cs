using System.ComponentModel.DataAnnotations;

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
}
