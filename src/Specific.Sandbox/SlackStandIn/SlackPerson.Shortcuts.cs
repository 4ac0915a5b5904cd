using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

internal sealed partial class SlackPerson
{
    /// <summary>
    /// The person picks one of the app's global shortcuts (the lightning-bolt menu): Slack sends a <c>shortcut</c>
    /// payload with its callback_id and a fresh trigger_id, and no channel and no response_url, since a global shortcut
    /// belongs to no conversation. Only the shortcuts the app declares can be picked.
    /// </summary>
    public async Task<InteractionResult> UseGlobalShortcutAsync(string userId, string callbackId, CancellationToken ct)
    {
        if (!Options.GlobalShortcuts.Any(s => s.CallbackId == callbackId))
            throw new InvalidOperationException($"The app declares no global shortcut with callback_id {callbackId}.");

        var triggerId = workspace.Views.IssueTrigger(userId);
        var payload = new JsonObject
        {
            ["type"] = "shortcut",
            ["token"] = VerificationToken,
            ["action_ts"] = workspace.NextTs(),
            ["team"] = new JsonObject { ["id"] = Options.TeamId, ["domain"] = Options.TeamDomain },
            ["user"] = UserJson(userId),
            ["is_enterprise_install"] = false,
            ["enterprise"] = null,
            ["callback_id"] = callbackId,
            ["trigger_id"] = triggerId,
        };
        var sent = await SendAsync(InteractionsPath, [new("payload", payload.ToJsonString())], $"shortcut {callbackId}", ct);
        // A shortcut has no response_url; the record's field says so with an empty one.
        return new InteractionResult(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, triggerId, NoResponseUrl, sent.Error);
    }

    private static readonly Uri NoResponseUrl = new("about:blank");
}
