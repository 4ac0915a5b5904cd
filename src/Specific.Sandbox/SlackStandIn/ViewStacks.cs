using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Each person's stack of open modals, and the trigger ids that let the bot open one.</summary>
internal sealed class ViewStacks(SlackWorkspace workspace)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<ViewEntry>> _viewStacks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Trigger> _triggers = new(StringComparer.Ordinal);

    private SlackStandInOptions Options => workspace.Options;

    private TimeProvider Clock => workspace.Clock;

    public string IssueTrigger(string userId)
    {
        var id = string.Create(CultureInfo.InvariantCulture,
            $"{Clock.GetUtcNow().ToUnixTimeMilliseconds()}.{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}.{RandomNumberGenerator.GetHexString(32, lowercase: true)}");
        lock (_lock)
            _triggers[id] = new Trigger(userId, Clock.GetUtcNow());
        return id;
    }

    /// <summary>Exchanges a trigger_id once, within its lifetime; returns the person or the Slack error.</summary>
    public (string? UserId, string? Error) ExchangeTrigger(string? triggerId)
    {
        if (string.IsNullOrEmpty(triggerId))
            return (null, "invalid_arguments");
        lock (_lock)
        {
            if (!_triggers.TryGetValue(triggerId, out var trigger))
                return (null, "invalid_trigger_id");
            if (trigger.Used)
                return (null, "exchanged_trigger_id");
            if (Clock.GetUtcNow() - trigger.IssuedAt > Options.TriggerIdLifetime)
                return (null, "expired_trigger_id");
            trigger.Used = true;
            return (trigger.UserId, null);
        }
    }

    public StandInView Open(string userId, JsonObject view, bool push)
    {
        ViewEntry entry;
        lock (_lock)
        {
            if (!_viewStacks.TryGetValue(userId, out var stack) || !push)
                _viewStacks[userId] = stack = [];
            var id = workspace.NewId('V');
            entry = new ViewEntry(id, userId, view, NewHash(), stack.Count > 0 ? stack[0].Id : id, stack.Count > 0 ? stack[^1].Id : null);
            stack.Add(entry);
        }
        workspace.Notify("*");
        return entry.Snapshot();
    }

    public int Depth(string userId)
    {
        lock (_lock)
            return _viewStacks.TryGetValue(userId, out var stack) ? stack.Count : 0;
    }

    /// <summary>Finds an open view by id or external_id.</summary>
    public StandInView? Find(string? viewId, string? externalId)
    {
        lock (_lock)
            return FindEntry(viewId, externalId)?.Snapshot();
    }

    /// <summary>Replaces a view's content; null when the view is gone, "hash_conflict" when the hash is stale.</summary>
    public (StandInView? View, string? Error) Update(string? viewId, string? externalId, string? hash, JsonObject view)
    {
        StandInView snapshot;
        lock (_lock)
        {
            var entry = FindEntry(viewId, externalId);
            if (entry is null)
                return (null, "not_found");
            if (!string.IsNullOrEmpty(hash) && hash != entry.Hash)
                return (null, "hash_conflict");
            entry.View = view;
            entry.Hash = NewHash();
            entry.Errors = new Dictionary<string, string>();
            snapshot = entry.Snapshot();
        }
        workspace.Notify("*");
        return (snapshot, null);
    }

    public void SetErrors(string viewId, IReadOnlyDictionary<string, string> errors)
    {
        lock (_lock)
        {
            if (FindEntry(viewId, null) is { } entry)
                entry.Errors = errors;
        }
        workspace.Notify("*");
    }

    /// <summary>Closes the top view (or, with <paramref name="all"/>, the whole stack).</summary>
    public void Close(string userId, string viewId, bool all)
    {
        lock (_lock)
        {
            if (!_viewStacks.TryGetValue(userId, out var stack))
                return;
            if (all)
                stack.Clear();
            else
                stack.RemoveAll(v => v.Id == viewId);
        }
        workspace.Notify("*");
    }

    public StandInView? Top(string userId)
    {
        lock (_lock)
            return _viewStacks.TryGetValue(userId, out var stack) && stack.Count > 0 ? stack[^1].Snapshot() : null;
    }

    private ViewEntry? FindEntry(string? viewId, string? externalId) =>
        _viewStacks.Values.SelectMany(s => s).FirstOrDefault(v =>
            (!string.IsNullOrEmpty(viewId) && v.Id == viewId) ||
            (!string.IsNullOrEmpty(externalId) && v.View["external_id"]?.GetValue<string>() == externalId));

    private static string NewHash() =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}");

    /// <summary>The view object as Slack's API returns it.</summary>
    public JsonObject Json(StandInView view, JsonObject? stateValues = null)
    {
        var json = JsonNode.Parse(view.View.GetRawText())!.AsObject();
        json["id"] = view.Id;
        json["team_id"] = Options.TeamId;
        json["app_id"] = Options.ApiAppId;
        json["bot_id"] = SlackWorkspace.BotId;
        json["app_installed_team_id"] = Options.TeamId;
        json["hash"] = view.Hash;
        json["private_metadata"] ??= "";
        json["callback_id"] ??= "";
        json["external_id"] ??= "";
        json["clear_on_close"] ??= false;
        json["notify_on_close"] ??= false;
        json["state"] = new JsonObject { ["values"] = stateValues ?? new JsonObject() };
        lock (_lock)
        {
            var entry = FindEntry(view.Id, null);
            json["root_view_id"] = entry?.RootViewId ?? view.Id;
            json["previous_view_id"] = entry?.PreviousViewId;
        }
        return json;
    }

    private sealed class Trigger(string userId, DateTimeOffset issuedAt)
    {
        public string UserId { get; } = userId;

        public DateTimeOffset IssuedAt { get; } = issuedAt;

        public bool Used { get; set; }
    }

    private sealed class ViewEntry(string id, string userId, JsonObject view, string hash, string rootViewId, string? previousViewId)
    {
        public string Id { get; } = id;

        public string UserId { get; } = userId;

        public JsonObject View { get; set; } = view;

        public string Hash { get; set; } = hash;

        public string RootViewId { get; } = rootViewId;

        public string? PreviousViewId { get; } = previousViewId;

        public IReadOnlyDictionary<string, string> Errors { get; set; } = new Dictionary<string, string>();

        public StandInView Snapshot() => new(
            Id,
            UserId,
            View["callback_id"]?.GetValue<string>(),
            View["external_id"]?.GetValue<string>(),
            Hash,
            View["private_metadata"]?.GetValue<string>(),
            JsonSerializer.SerializeToElement(View),
            Errors);
    }
}
