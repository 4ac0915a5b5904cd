using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

internal sealed partial class SlackPerson
{
    public const string AppHomeOpenedEvent = "app_home_opened";

    /// <summary>
    /// The person opens the app's Home tab: Slack sends <c>app_home_opened</c> (with the view published before, if any)
    /// to an app that subscribes to it, as a signed JSON POST to its events URL or, with Socket Mode on, as an
    /// <c>events_api</c> envelope. Null when the app does not subscribe to the event (Slack sends nothing then).
    /// </summary>
    public async Task<EventDelivery?> OpenHomeAsync(string userId, CancellationToken ct)
    {
        if (!Options.BotEvents.Contains(AppHomeOpenedEvent))
            return null;
        var inner = new JsonObject
        {
            ["type"] = AppHomeOpenedEvent,
            ["user"] = userId,
            ["channel"] = workspace.Directory.DirectMessageWith(userId).Id,
            ["tab"] = "home",
            ["event_ts"] = workspace.NextTs(),
        };
        if (workspace.Homes.Of(userId) is { } published)
            inner["view"] = workspace.Homes.Json(published);
        var payload = new JsonObject
        {
            ["token"] = VerificationToken,
            ["team_id"] = Options.TeamId,
            ["api_app_id"] = Options.ApiAppId,
            ["event"] = inner,
            ["type"] = "event_callback",
            ["event_id"] = workspace.NewId('E'),
            ["event_time"] = workspace.Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["authorizations"] = new JsonArray(new JsonObject
            {
                ["team_id"] = Options.TeamId, ["user_id"] = SlackWorkspace.BotUserId, ["is_bot"] = true, ["is_enterprise_install"] = false,
            }),
            ["is_ext_shared_channel"] = false,
        };
        var what = $"{AppHomeOpenedEvent} of {userId}";
        var sent = socketMode.Enabled
            ? await SendEnvelopeAsync("events_api", payload, what, ct)
            : await PostSignedAsync(Options.EventsPath, payload.ToJsonString(), "application/json", what, ct);
        return new EventDelivery(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, sent.Error);
    }

    /// <summary>
    /// The person clicks a button on their Home tab: a <c>block_actions</c> payload whose container is the view
    /// (<c>type: view</c>) and whose <c>view</c> is the Home view, with no channel and no response_url.
    /// </summary>
    public async Task<InteractionResult> ClickHomeButtonAsync(string userId, string actionId, CancellationToken ct)
    {
        var home = workspace.Homes.Of(userId) ?? throw new InvalidOperationException($"The app has published no Home tab for {userId}.");
        var blocks = home.View.TryGetProperty("blocks", out var found) ? found : throw new InvalidOperationException("The Home view has no blocks.");
        var (block, element) = FindAction(blocks, actionId)
            ?? throw new InvalidOperationException($"{userId}'s Home tab has no element with action_id {actionId}.");
        var triggerId = workspace.Views.IssueTrigger(userId);
        var action = new JsonObject
        {
            ["type"] = element["type"]?.DeepClone(),
            ["block_id"] = block["block_id"]?.DeepClone(),
            ["action_id"] = actionId,
            ["text"] = element["text"]?.DeepClone(),
            ["action_ts"] = workspace.NextTs(),
        };
        if (element["value"] is { } value)
            action["value"] = value.DeepClone();
        var view = workspace.Homes.Json(home);
        view["type"] = "home";
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = UserJson(userId),
            ["api_app_id"] = Options.ApiAppId,
            ["token"] = VerificationToken,
            ["container"] = new JsonObject { ["type"] = "view", ["view_id"] = home.Id },
            ["trigger_id"] = triggerId,
            ["team"] = new JsonObject { ["id"] = Options.TeamId, ["domain"] = Options.TeamDomain },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["view"] = view,
            ["actions"] = new JsonArray(action),
        };
        var sent = await SendAsync(InteractionsPath, [new("payload", payload.ToJsonString())], $"block_actions {actionId} on the Home tab", ct);
        return new InteractionResult(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, triggerId, NoResponseUrl, sent.Error);
    }

    private async Task<Sent> SendEnvelopeAsync(string type, JsonObject payload, string what, CancellationToken ct)
    {
        var (ackPayload, elapsed, error) = await socketMode.DeliverAsync(type, payload, what, ct);
        return error is null
            ? new Sent(200, ackPayload ?? "", ackPayload is not null, elapsed, false, null)
            : new Sent(null, "", false, elapsed, true, error);
    }
}
