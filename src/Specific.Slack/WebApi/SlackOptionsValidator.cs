using Microsoft.Extensions.Options;

namespace Specific.Slack.WebApi;

/// <summary>Refuses Slack settings the bot cannot talk to Slack with, naming the environment variable that fixes each.</summary>
internal sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BotToken))
        {
            failures.Add("Slack__BotToken is not set: set it to the app's Bot User OAuth Token (xoxb-...) from the Slack app's OAuth & Permissions page.");
        }

        if (!(Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            failures.Add("Slack__ApiBaseUrl is not an absolute http(s) URL: leave it unset for https://slack.com/api/.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Slack__RequestTimeout must be positive, for example '00:00:30'.");
        }

        if (options.UploadTimeout <= TimeSpan.Zero)
        {
            failures.Add("Slack__UploadTimeout must be positive, for example '00:05:00'.");
        }

        if (!string.IsNullOrWhiteSpace(options.AppToken) && !options.AppToken.StartsWith(SlackOptions.AppTokenPrefix, StringComparison.Ordinal))
        {
            failures.Add("Slack__AppToken must be the app-level token (xapp-…) with the connections:write scope, from api.slack.com/apps → Basic Information → App-Level Tokens; leave it unset to receive Slack over HTTP.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
