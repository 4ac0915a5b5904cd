using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Everything the offline workspace holds: channels, messages, ephemerals and response URLs, with its modals and files beside it.</summary>
internal sealed class SlackWorkspace
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
    private readonly Dictionary<string, List<StandInMessage>> _messages = new(StringComparer.Ordinal);
    private readonly List<StandInEphemeral> _ephemerals = [];
    private readonly Dictionary<string, ResponseUrlEntry> _responseUrls = new(StringComparer.Ordinal);
    private readonly List<ApiCall> _calls = [];
    private readonly List<string> _deadlineMisses = [];
    private long _lastTsMicros;
    private long _idCounter;

    public SlackWorkspace(SlackStandInOptions options, TimeProvider clock)
    {
        Options = options;
        Clock = clock;
        Views = new ViewStacks(this);
        Homes = new HomeTabs(this);
        Files = new FileStore(this);
        Directory = new ChannelDirectory(this);
    }

    public SlackStandInOptions Options { get; }

    public TimeProvider Clock { get; }

    public Uri BaseUrl { get; set; } = new("http://127.0.0.1/");

    /// <summary>Raised after any change a page would show; the argument is the channel (or "*" for views and users).</summary>
    public event Action<string>? Changed;

    public void Notify(string scope) => Changed?.Invoke(scope);

    /// <summary>Each person's open modals and the trigger ids that open them.</summary>
    public ViewStacks Views { get; }

    /// <summary>Each person's Home tab, as the app last published it.</summary>
    public HomeTabs Homes { get; }

    /// <summary>The files uploaded to the workspace.</summary>
    public FileStore Files { get; }

    /// <summary>The conversations and the bot's membership in each.</summary>
    public ChannelDirectory Directory { get; }

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

    public string ChannelName(string channelId) => Directory.Get(channelId).Name;

    public IReadOnlyList<StandInChannel> Channels() => Directory.All();

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
}
