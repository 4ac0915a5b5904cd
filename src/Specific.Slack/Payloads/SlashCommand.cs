using Microsoft.AspNetCore.Http;

namespace Specific.Slack.Payloads;

/// <summary>A slash command invocation, parsed from the form Slack posts.</summary>
public sealed record SlashCommand(
    string Command,
    string Text,
    string TeamId,
    string ChannelId,
    string UserId,
    string? UserName,
    string? ChannelName,
    string? TeamDomain,
    string? EnterpriseId,
    string? ResponseUrl,
    string? TriggerId,
    string? ApiAppId,
    bool IsEnterpriseInstall)
{
    /// <summary>Reads the command from form fields; throws <see cref="FormatException"/> when a required field is missing.</summary>
    public static SlashCommand FromForm(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            form.TryAdd(key, value);
        }

        string Required(string name) =>
            form.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
                ? value
                : throw new FormatException($"The slash command has no '{name}'.");
        string? Optional(string name) => form.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

        return new SlashCommand(
            Command: Required("command"),
            Text: form.GetValueOrDefault("text") ?? "",
            TeamId: Required("team_id"),
            ChannelId: Required("channel_id"),
            UserId: Required("user_id"),
            UserName: Optional("user_name"),
            ChannelName: Optional("channel_name"),
            TeamDomain: Optional("team_domain"),
            EnterpriseId: Optional("enterprise_id"),
            ResponseUrl: Optional("response_url"),
            TriggerId: Optional("trigger_id"),
            ApiAppId: Optional("api_app_id"),
            IsEnterpriseInstall: string.Equals(Optional("is_enterprise_install"), "true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads the command from an ASP.NET Core form.</summary>
    public static SlashCommand FromForm(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return FromForm(form.Select(field => new KeyValuePair<string, string>(field.Key, field.Value.ToString())));
    }

    /// <summary>Reads the command from the raw form-encoded body (the bytes that were signed).</summary>
    public static SlashCommand FromBody(string formEncodedBody) => FromForm(SlackForm.Parse(formEncodedBody));
}
