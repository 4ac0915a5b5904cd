using System.Text.Json;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>A message as the channel shows it now (a snapshot; later edits produce a new record).</summary>
public sealed record StandInMessage(
    string ChannelId,
    string Ts,
    string? ThreadTs,
    string? UserId,
    string? BotId,
    string Text,
    JsonElement? Blocks,
    IReadOnlyList<StandInFile> Files,
    int ReplyCount,
    string? EditedTs,
    bool ReplyBroadcast)
{
    /// <summary>Message metadata (event_type, event_payload) the bot attached, as Slack keeps it.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>True for a thread reply (not the parent).</summary>
    public bool IsReply => ThreadTs is not null && ThreadTs != Ts;

    /// <summary>The message's text plus every text inside its blocks, for assertions on what a person reads.</summary>
    public string VisibleText => BlockText.Collect(Text, Blocks);
}

/// <summary>A message only one person sees ("Only visible to you").</summary>
public sealed record StandInEphemeral(
    string UserId,
    string ChannelId,
    string Ts,
    string? ThreadTs,
    string Text,
    JsonElement? Blocks,
    string Source)
{
    public string VisibleText => BlockText.Collect(Text, Blocks);
}

/// <summary>A modal view as the person sees it, with the field errors the bot asked Slack to show.</summary>
public sealed record StandInView(
    string Id,
    string UserId,
    string? CallbackId,
    string? ExternalId,
    string Hash,
    string? PrivateMetadata,
    JsonElement View,
    IReadOnlyDictionary<string, string> Errors)
{
    public string Title => View.TryGetProperty("title", out var title) && title.TryGetProperty("text", out var text) ? text.GetString() ?? "" : "";
}

/// <summary>A file uploaded through files.getUploadURLExternal and shared by files.completeUploadExternal.</summary>
public sealed record StandInFile(
    string Id,
    string Name,
    string? Title,
    long Length,
    ReadOnlyMemory<byte> Content,
    string? ChannelId,
    string? MessageTs,
    Uri DownloadUrl);

/// <summary>One Web API call as the stand-in answered it.</summary>
public sealed record ApiCall(
    string Method,
    int StatusCode,
    string? Error,
    string? Channel,
    DateTimeOffset At,
    TimeSpan Elapsed)
{
    public bool Ok => StatusCode == 200 && Error is null;
}

/// <summary>What a person saw after typing a slash command.</summary>
public sealed record SlashCommandResult(
    int? StatusCode,
    string Body,
    TimeSpan Elapsed,
    bool MissedDeadline,
    string TriggerId,
    Uri ResponseUrl,
    StandInEphemeral? EphemeralReply,
    StandInMessage? InChannelReply,
    string? Error);

/// <summary>What a person saw after clicking a button.</summary>
public sealed record InteractionResult(
    int? StatusCode,
    string Body,
    TimeSpan Elapsed,
    bool MissedDeadline,
    string TriggerId,
    Uri ResponseUrl,
    string? Error);

/// <summary>What a person saw after submitting a modal: the modal closed, changed, or shows errors.</summary>
public sealed record ViewSubmissionResult(
    int? StatusCode,
    string Body,
    TimeSpan Elapsed,
    bool MissedDeadline,
    string? ResponseAction,
    IReadOnlyDictionary<string, string> Errors,
    StandInView? ViewAfter,
    string? Error);

/// <summary>A person's Home tab as the app last published it; <see cref="Publishes"/> counts the publishes so far.</summary>
public sealed record StandInHomeView(string Id, string UserId, string Hash, int Publishes, DateTimeOffset PublishedAt, JsonElement View);

/// <summary>How the bot answered an event Slack sent it (an empty 200, or the acknowledgement of its envelope).</summary>
public sealed record EventDelivery(int? StatusCode, string Body, TimeSpan Elapsed, bool MissedDeadline, string? Error);
