namespace Specific.Slack.WebApi;

/// <summary>How the bot talks to Slack. Bound from the "Slack" configuration section.</summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";
    public const string DefaultApiBaseUrl = "https://slack.com/api/";

    /// <summary>The prefix of an app-level token; a bot (xoxb-) or user (xoxp-) token cannot open Socket Mode connections.</summary>
    public const string AppTokenPrefix = "xapp-";

    /// <summary>Verifies requests from Slack (the front door uses it).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The bot token (<c>xoxb-…</c>) every Web API call carries; required (see <see cref="SlackOptionsValidator"/>).</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The app-level token (<c>xapp-…</c>) for Socket Mode.</summary>
    public string? AppToken { get; set; }

    /// <summary>Where Slack's Web API lives; the sandbox points it at the stand-in.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>How long one Web API call may take before it counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a file upload may take.</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The API base as a URI that ends with a slash, so method names resolve under it.</summary>
    public Uri GetApiBaseUri() => new(ApiBaseUrl.EndsWith('/') ? ApiBaseUrl : ApiBaseUrl + "/", UriKind.Absolute);
}
