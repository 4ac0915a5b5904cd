using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Everything the offline workspace holds: channels, messages, ephemerals, modals, files, trigger ids and response URLs.</summary>
internal sealed class SlackWorkspace(SlackStandInOptions options, TimeProvider clock)
{
    public const string BotUserId = "U0SPECIFICBOT";
    public const string BotId = "B0SPECIFIC";
    public const string BotName = "specific";
    public const string SandboxUserId = "U0SANDBOX";
    public const string SandboxChannelId = "C0SANDBOX";
    public static readonly TimeSpan ResponseUrlLifetime = TimeSpan.FromMinutes(30);
    public const int ResponseUrlMaxUses = 5;
    public const int MaxViewStack = 3;
    public const int MaxRecordedCalls = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _channelNames = new(StringComparer.Ordinal)
    {
        [SandboxChannelId] = "ops",
        ["C0GENERAL"] = "general",
    };
    private readonly Dictionary<string, List<StandInMessage>> _messages = new(StringComparer.Ordinal);
    private readonly List<StandInEphemeral> _ephemerals = [];
    private readonly Dictionary<string, List<ViewEntry>> _viewStacks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Trigger> _triggers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileEntry> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResponseUrlEntry> _responseUrls = new(StringComparer.Ordinal);
    private readonly List<ApiCall> _calls = [];
    private readonly List<string> _deadlineMisses = [];
    private long _lastTsMicros;
    private long _idCounter;

    public SlackStandInOptions Options { get; } = options;

    public TimeProvider Clock { get; } = clock;

    public Uri BaseUrl { get; set; } = new("http://127.0.0.1/");

    /// <summary>Raised after any change a page would show; the argument is the channel (or "*" for views and users).</summary>
    public event Action<string>? Changed;

    public void Notify(string scope) => Changed?.Invoke(scope);

    // ---- identifiers ----

    public string NextTs()
    {
        lock (_lock)
        {
            var now = Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
            _lastTsMicros = Math.Max(now, _lastTsMicros + 1);
            return FormatTs(_lastTsMicros);
        }
    }

    public static string FormatTs(long micros) =>
        string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");

    public string NewId(char prefix)
    {
        var n = Interlocked.Increment(ref _idCounter);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}0{n:D6}{RandomNumberGenerator.GetHexString(4, lowercase: false)}");
    }

    public static bool IsChannelId(string? id) =>
        id is { Length: >= 2 and <= 24 } && id[0] is 'C' or 'G' or 'D' && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    public static bool IsUserId(string? id) =>
        id is { Length: >= 2 and <= 24 } && id[0] is 'U' or 'W' && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    public string ChannelName(string channelId)
    {
        lock (_lock)
        {
            if (!_channelNames.TryGetValue(channelId, out var name))
                _channelNames[channelId] = name = "channel-" + channelId.ToLowerInvariant();
            return name;
        }
    }

    public IReadOnlyList<(string Id, string Name)> Channels()
    {
        lock (_lock)
        {
            foreach (var id in _messages.Keys)
                _channelNames.TryAdd(id, "channel-" + id.ToLowerInvariant());
            return _channelNames.Select(kv => (kv.Key, kv.Value)).OrderBy(c => c.Value, StringComparer.Ordinal).ToList();
        }
    }

    // ---- messages ----

    public StandInMessage Post(string channelId, string? userId, string? botId, string text, JsonElement? blocks, string? threadTs, bool broadcast, IReadOnlyList<StandInFile>? files = null, JsonElement? metadata = null)
    {
        var ts = NextTs();
        StandInMessage message;
        lock (_lock)
        {
            ChannelName(channelId);
            var list = MessagesOf(channelId);
            if (threadTs is not null)
            {
                var parentIndex = list.FindIndex(m => m.Ts == threadTs);
                if (parentIndex >= 0 && list[parentIndex].IsReply)
                {
                    threadTs = list[parentIndex].ThreadTs;
                    parentIndex = list.FindIndex(m => m.Ts == threadTs);
                }
                if (parentIndex >= 0)
                {
                    var parent = list[parentIndex];
                    list[parentIndex] = parent with { ThreadTs = parent.Ts, ReplyCount = parent.ReplyCount + 1 };
                }
            }
            message = new StandInMessage(channelId, ts, threadTs, userId, botId, text, blocks, files ?? [], 0, null, broadcast && threadTs is not null) { Metadata = metadata };
            list.Add(message);
        }
        Notify(channelId);
        return message;
    }

    public StandInMessage? Find(string channelId, string ts)
    {
        lock (_lock)
            return _messages.TryGetValue(channelId, out var list) ? list.Find(m => m.Ts == ts) : null;
    }

    public StandInMessage? Replace(string channelId, string ts, Func<StandInMessage, StandInMessage> change)
    {
        StandInMessage? updated = null;
        lock (_lock)
        {
            var list = MessagesOf(channelId);
            var index = list.FindIndex(m => m.Ts == ts);
            if (index >= 0)
                list[index] = updated = change(list[index]);
        }
        if (updated is not null)
            Notify(channelId);
        return updated;
    }

    public bool Delete(string channelId, string ts)
    {
        lock (_lock)
        {
            var list = MessagesOf(channelId);
            var message = list.Find(m => m.Ts == ts);
            if (message is null)
                return false;
            list.Remove(message);
            if (message.IsReply)
            {
                var parentIndex = list.FindIndex(m => m.Ts == message.ThreadTs);
                if (parentIndex >= 0)
                    list[parentIndex] = list[parentIndex] with { ReplyCount = Math.Max(0, list[parentIndex].ReplyCount - 1) };
            }
        }
        Notify(channelId);
        return true;
    }

    /// <summary>Top-level messages and broadcast replies, oldest first (what the channel shows).</summary>
    public IReadOnlyList<StandInMessage> ChannelMessages(string channelId)
    {
        lock (_lock)
            return _messages.TryGetValue(channelId, out var list) ? list.Where(m => !m.IsReply || m.ReplyBroadcast).ToList() : [];
    }

    /// <summary>The thread's parent followed by its replies, oldest first.</summary>
    public IReadOnlyList<StandInMessage> Thread(string channelId, string threadTs)
    {
        lock (_lock)
            return _messages.TryGetValue(channelId, out var list) ? list.Where(m => m.Ts == threadTs || m.ThreadTs == threadTs).ToList() : [];
    }

    private List<StandInMessage> MessagesOf(string channelId)
    {
        if (!_messages.TryGetValue(channelId, out var list))
            _messages[channelId] = list = [];
        return list;
    }

    // ---- ephemerals ----

    public StandInEphemeral PostEphemeral(string userId, string channelId, string? threadTs, string text, JsonElement? blocks, string source)
    {
        var ephemeral = new StandInEphemeral(userId, channelId, NextTs(), threadTs, text, blocks, source);
        lock (_lock)
        {
            ChannelName(channelId);
            _ephemerals.Add(ephemeral);
        }
        Notify(channelId);
        return ephemeral;
    }

    public IReadOnlyList<StandInEphemeral> Ephemerals(string userId)
    {
        lock (_lock)
            return _ephemerals.Where(e => e.UserId == userId).ToList();
    }

    public StandInEphemeral? FindEphemeral(string userId, string ts)
    {
        lock (_lock)
            return _ephemerals.Find(e => e.UserId == userId && e.Ts == ts);
    }

    public void ReplaceEphemeral(StandInEphemeral old, StandInEphemeral? replacement)
    {
        lock (_lock)
        {
            var index = _ephemerals.IndexOf(old);
            if (index < 0)
                return;
            if (replacement is null)
                _ephemerals.RemoveAt(index);
            else
                _ephemerals[index] = replacement;
        }
        Notify(old.ChannelId);
    }

    // ---- trigger ids ----

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

    // ---- views ----

    public StandInView OpenView(string userId, JsonObject view, bool push)
    {
        ViewEntry entry;
        lock (_lock)
        {
            if (!_viewStacks.TryGetValue(userId, out var stack) || !push)
                _viewStacks[userId] = stack = [];
            var id = NewId('V');
            entry = new ViewEntry(id, userId, view, NewHash(), stack.Count > 0 ? stack[0].Id : id, stack.Count > 0 ? stack[^1].Id : null);
            stack.Add(entry);
        }
        Notify("*");
        return entry.Snapshot(this);
    }

    public int ViewDepth(string userId)
    {
        lock (_lock)
            return _viewStacks.TryGetValue(userId, out var stack) ? stack.Count : 0;
    }

    /// <summary>Finds an open view by id or external_id.</summary>
    public StandInView? FindView(string? viewId, string? externalId)
    {
        lock (_lock)
            return FindEntry(viewId, externalId)?.Snapshot(this);
    }

    /// <summary>Replaces a view's content; null when the view is gone, "hash_conflict" when the hash is stale.</summary>
    public (StandInView? View, string? Error) UpdateView(string? viewId, string? externalId, string? hash, JsonObject view)
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
            snapshot = entry.Snapshot(this);
        }
        Notify("*");
        return (snapshot, null);
    }

    public void SetViewErrors(string viewId, IReadOnlyDictionary<string, string> errors)
    {
        lock (_lock)
        {
            if (FindEntry(viewId, null) is { } entry)
                entry.Errors = errors;
        }
        Notify("*");
    }

    /// <summary>Closes the top view (or, with <paramref name="all"/>, the whole stack).</summary>
    public void CloseView(string userId, string viewId, bool all)
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
        Notify("*");
    }

    public StandInView? TopView(string userId)
    {
        lock (_lock)
            return _viewStacks.TryGetValue(userId, out var stack) && stack.Count > 0 ? stack[^1].Snapshot(this) : null;
    }

    private ViewEntry? FindEntry(string? viewId, string? externalId) =>
        _viewStacks.Values.SelectMany(s => s).FirstOrDefault(v =>
            (!string.IsNullOrEmpty(viewId) && v.Id == viewId) ||
            (!string.IsNullOrEmpty(externalId) && v.View["external_id"]?.GetValue<string>() == externalId));

    private static string NewHash() =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}");

    /// <summary>The view object as Slack's API returns it.</summary>
    public JsonObject ViewJson(StandInView view, JsonObject? stateValues = null)
    {
        var json = JsonNode.Parse(view.View.GetRawText())!.AsObject();
        json["id"] = view.Id;
        json["team_id"] = Options.TeamId;
        json["app_id"] = Options.ApiAppId;
        json["bot_id"] = BotId;
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

    // ---- files ----

    public (string Id, Uri UploadUrl) ReserveFile(string name, long length)
    {
        var id = NewId('F');
        lock (_lock)
            _files[id] = new FileEntry(id, name, length);
        return (id, new Uri(BaseUrl, $"upload/v1/{id}"));
    }

    public bool StoreUpload(string fileId, byte[] content)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fileId, out var entry) || entry.Completed)
                return false;
            entry.Content = content;
            return true;
        }
    }

    /// <summary>Marks uploaded files complete; returns the files or the id that was never uploaded.</summary>
    public (IReadOnlyList<StandInFile> Files, string? MissingId) CompleteFiles(IReadOnlyList<(string Id, string? Title)> wanted, string? channelId)
    {
        lock (_lock)
        {
            var result = new List<StandInFile>();
            foreach (var (id, title) in wanted)
            {
                if (!_files.TryGetValue(id, out var entry) || entry.Content is null || entry.Completed)
                    return ([], id);
            }
            foreach (var (id, title) in wanted)
            {
                var entry = _files[id];
                entry.Completed = true;
                entry.Title = string.IsNullOrEmpty(title) ? entry.Name : title;
                entry.ChannelId = channelId;
                result.Add(entry.Snapshot(BaseUrl));
            }
            return (result, null);
        }
    }

    public void AttachFilesTo(IReadOnlyList<StandInFile> files, string? channelId, string messageTs)
    {
        lock (_lock)
        {
            foreach (var file in files)
            {
                if (_files.TryGetValue(file.Id, out var entry))
                {
                    entry.ChannelId = channelId;
                    entry.MessageTs = messageTs;
                }
            }
        }
    }

    public StandInFile? File(string id)
    {
        lock (_lock)
            return _files.TryGetValue(id, out var entry) && entry.Completed ? entry.Snapshot(BaseUrl) : null;
    }

    public IReadOnlyList<StandInFile> Files()
    {
        lock (_lock)
            return _files.Values.Where(f => f.Completed).Select(f => f.Snapshot(BaseUrl)).ToList();
    }

    // ---- response_url ----

    public Uri IssueResponseUrl(string userId, string channelId, string? originalTs, bool originalIsEphemeral, string? threadTs)
    {
        var id = RandomNumberGenerator.GetHexString(24, lowercase: true);
        lock (_lock)
            _responseUrls[id] = new ResponseUrlEntry(userId, channelId, Clock.GetUtcNow(), threadTs) { OriginalTs = originalTs, OriginalIsEphemeral = originalIsEphemeral };
        return new Uri(BaseUrl, $"response-url/{Options.TeamId}/{id}");
    }

    /// <summary>Counts one use of a response_url; returns it, or the error Slack gives once it is used up or expired.</summary>
    public (ResponseUrlEntry? Entry, string? Error) UseResponseUrl(string id)
    {
        lock (_lock)
        {
            if (!_responseUrls.TryGetValue(id, out var entry))
                return (null, "no_service");
            if (Clock.GetUtcNow() - entry.CreatedAt > ResponseUrlLifetime)
                return (null, "expired_url");
            if (entry.Uses >= ResponseUrlMaxUses)
                return (null, "used_url");
            entry.Uses++;
            return (entry, null);
        }
    }

    // ---- records for tests ----

    public void RecordCall(ApiCall call)
    {
        lock (_lock)
        {
            // a sandbox left running for days should not grow without bound
            if (_calls.Count >= MaxRecordedCalls)
                _calls.RemoveRange(0, MaxRecordedCalls / 10);
            _calls.Add(call);
        }
    }

    public IReadOnlyList<ApiCall> Calls()
    {
        lock (_lock)
            return _calls.ToList();
    }

    public void RecordDeadlineMiss(string what)
    {
        lock (_lock)
            _deadlineMisses.Add(what);
        Notify("*");
    }

    public IReadOnlyList<string> DeadlineMisses()
    {
        lock (_lock)
            return _deadlineMisses.ToList();
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

        public StandInView Snapshot(SlackWorkspace workspace) => new(
            Id,
            UserId,
            View["callback_id"]?.GetValue<string>(),
            View["external_id"]?.GetValue<string>(),
            Hash,
            View["private_metadata"]?.GetValue<string>(),
            JsonSerializer.SerializeToElement(View),
            Errors);
    }

    private sealed class FileEntry(string id, string name, long length)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public long Length { get; } = length;

        public string? Title { get; set; }

        public byte[]? Content { get; set; }

        public bool Completed { get; set; }

        public string? ChannelId { get; set; }

        public string? MessageTs { get; set; }

        public StandInFile Snapshot(Uri baseUrl) => new(Id, Name, Title, Content?.LongLength ?? Length, Content ?? [], ChannelId, MessageTs,
            new Uri(baseUrl, $"files/{Id}/{Uri.EscapeDataString(Name)}"));
    }
}

/// <summary>One response_url handed to the bot: who it answers, where, and how often it was used.</summary>
internal sealed class ResponseUrlEntry(string userId, string channelId, DateTimeOffset createdAt, string? threadTs)
{
    public string UserId { get; } = userId;

    public string ChannelId { get; } = channelId;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public string? ThreadTs { get; } = threadTs;

    public int Uses { get; set; }

    /// <summary>The message that replace_original/delete_original act on (the clicked message, or the last reply sent through this URL).</summary>
    public string? OriginalTs { get; set; }

    public bool OriginalIsEphemeral { get; set; }
}
