using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>
/// Each person's Home tab as the app last published it (views.publish): one view per person, replaced whole by each
/// publish, with a hash that changes every time, as Slack keeps it.
/// </summary>
internal sealed class HomeTabs(SlackWorkspace workspace)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StandInHomeView> _byUser = new(StringComparer.Ordinal);

    /// <summary>Sets <paramref name="userId"/>'s Home tab; "hash_conflict" when <paramref name="hash"/> is not the current one.</summary>
    public (StandInHomeView? View, string? Error) Publish(string userId, string? hash, JsonObject view)
    {
        StandInHomeView published;
        lock (_lock)
        {
            _byUser.TryGetValue(userId, out var current);
            if (!string.IsNullOrEmpty(hash) && hash != current?.Hash)
                return (null, "hash_conflict");
            published = new StandInHomeView(
                current?.Id ?? workspace.NewId('V'), userId, NewHash(), (current?.Publishes ?? 0) + 1, workspace.Clock.GetUtcNow(),
                JsonSerializer.SerializeToElement(view));
            _byUser[userId] = published;
        }
        workspace.Notify("*");
        return (published, null);
    }

    /// <summary>What <paramref name="userId"/> sees on the app's Home tab, or null before the app published it.</summary>
    public StandInHomeView? Of(string userId)
    {
        lock (_lock)
            return _byUser.GetValueOrDefault(userId);
    }

    /// <summary>The view object as Slack's API returns it (and as app_home_opened carries it).</summary>
    public JsonObject Json(StandInHomeView home)
    {
        var json = JsonNode.Parse(home.View.GetRawText())!.AsObject();
        json["id"] = home.Id;
        json["team_id"] = workspace.Options.TeamId;
        json["app_id"] = workspace.Options.ApiAppId;
        json["bot_id"] = SlackWorkspace.BotId;
        json["app_installed_team_id"] = workspace.Options.TeamId;
        json["hash"] = home.Hash;
        json["private_metadata"] ??= "";
        json["callback_id"] ??= "";
        json["external_id"] ??= "";
        json["clear_on_close"] = false;
        json["notify_on_close"] = false;
        json["close"] = null;
        json["submit"] = null;
        json["state"] = new JsonObject { ["values"] = new JsonObject() };
        json["root_view_id"] = home.Id;
        json["previous_view_id"] = null;
        return json;
    }

    private static string NewHash() =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}");
}
