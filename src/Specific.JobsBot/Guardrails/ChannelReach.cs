using System.Collections.Concurrent;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Guardrails;

/// <summary>Whether the bot can post a job's message where a run was asked for.</summary>
public enum Reach
{
    /// <summary>The bot is a member (or it is the bot's own DM): the job's message can go there.</summary>
    Reachable,

    /// <summary>Slack would refuse the job's message there; <see cref="ChannelReachAnswer.Refusal"/> says why and what to do.</summary>
    Unreachable,

    /// <summary>Slack could not be asked in time (timeout, rate limit, no scope): the run proceeds.</summary>
    Unknown,
}

/// <summary>What <see cref="ChannelReach"/> found; an unreachable channel carries the person's answer.</summary>
/// <param name="Problem">Why, and what to do, in plain words (the run form shows it under a field).</param>
public sealed record ChannelReachAnswer(Reach Reach, string? Problem = null)
{
    public static ChannelReachAnswer Reachable { get; } = new(Reach.Reachable);

    public static ChannelReachAnswer Unknown { get; } = new(Reach.Unknown);

    /// <summary>The private answer to the command: the problem with its emoji.</summary>
    public string? Refusal => Problem is null ? null : $":lock: {Problem}";
}

/// <summary>
/// Asks Slack whether the bot is in the channel a run comes from (conversations.info), inside Slack's 3 seconds. A public
/// channel the bot is not in is joined (conversations.join, scope channels:join), as people expect of a ChatOps bot; a
/// private channel or someone else's DM answers channel_not_found, and the person is told to invite the bot. Channels
/// known to work are remembered for <see cref="KnownFor"/>, and forgotten as soon as a post there is refused
/// (<see cref="Forget"/>).
/// </summary>
public sealed partial class ChannelReach(IServiceScopeFactory scopes, TimeProvider time, ILogger<ChannelReach> logger)
{
    /// <summary>How long the check may take in all; the validator and the gate share Slack's 3 seconds.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long a channel the bot could post in is taken to stay so without asking again.</summary>
    public static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(10);

    /// <summary>How many channels are remembered; past it the memory starts over (it is only a shortcut).</summary>
    public const int MaxKnown = 4096;

    /// <summary>The rule an unreachable channel is refused by, in the audit trail.</summary>
    public const string Rule = "bot membership";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _reachable = new(StringComparer.Ordinal);
    private readonly Lock _nameLock = new();
    private Task<string?>? _botName;

    /// <summary>How long one check may wait on Slack.</summary>
    public TimeSpan Budget { get; init; } = DefaultBudget;

    public async Task<ChannelReachAnswer> CheckAsync(string channelId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        if (_reachable.TryGetValue(channelId, out var knownAt) && time.GetUtcNow() - knownAt < KnownFor)
        {
            return ChannelReachAnswer.Reachable;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        await using var scope = scopes.CreateAsyncScope();
        var slack = scope.ServiceProvider.GetRequiredService<SlackWebClient>();
        try
        {
            var info = await slack.GetConversationAsync(channelId, budget.Token);
            if (info.IsIm || info.IsMember)
            {
                return Remember(channelId);
            }

            if (info.IsArchived)
            {
                return Refuse(channelId, "archived", "This channel is archived, so the job's message could not be posted here and nothing was started. Run the command in a channel where the app is.");
            }

            if (info.IsPrivate || info.IsMpim)
            {
                return Refuse(channelId, "not invited", await InviteAsync(budget.Token));
            }

            try
            {
                await slack.JoinConversationAsync(channelId, budget.Token);
                LogJoined(channelId);
                return Remember(channelId);
            }
            catch (SlackApiException refused)
            {
                return Refuse(channelId, refused.Error,
                    $"The app is not in this channel and could not join it ({refused.Error}), so nothing was started. " + await InviteStepsAsync(budget.Token));
            }
        }
        catch (SlackApiException hidden) when (hidden.Error == SlackErrors.ChannelNotFound)
        {
            // A private channel, group DM or someone else's DM the bot is not in: Slack hides it from the bot.
            return channelId.StartsWith('D')
                ? Refuse(channelId, hidden.Error, "The app can't post in this direct message, so nothing was started: the job's message and log would have nowhere to go. Run the command in a channel where the app is, or in your direct message with the app.")
                : Refuse(channelId, hidden.Error, await InviteAsync(budget.Token));
        }
        catch (SlackApiException other)
        {
            LogCannotAsk(channelId, other.Error);
            return ChannelReachAnswer.Unknown;
        }
        catch (Exception ex) when (ex is SlackRateLimitedException or SlackTransientException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Slack cannot be asked now: the run proceeds, and a post refused later is still told to the person.
            LogCannotAsk(channelId, ex.Message);
            return ChannelReachAnswer.Unknown;
        }
    }

    /// <summary>A post in the channel was refused (not_in_channel, channel_not_found): ask Slack again next time.</summary>
    public void Forget(string channelId) => _reachable.TryRemove(channelId, out _);

    private ChannelReachAnswer Remember(string channelId)
    {
        if (_reachable.Count >= MaxKnown)
        {
            _reachable.Clear();
        }

        _reachable[channelId] = time.GetUtcNow();
        return ChannelReachAnswer.Reachable;
    }

    private ChannelReachAnswer Refuse(string channelId, string why, string problem)
    {
        Forget(channelId);
        LogUnreachable(channelId, why);
        return new ChannelReachAnswer(Reach.Unreachable, problem);
    }

    private async Task<string> InviteAsync(CancellationToken cancellationToken) =>
        "The app is not in this channel, so nothing was started: the job's message and log would have nowhere to go. " +
        await InviteStepsAsync(cancellationToken);

    /// <summary>How to invite the bot, with its name when auth.test gives it in time (read only when someone needs it).</summary>
    private async Task<string> InviteStepsAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        try
        {
            name = await BotName().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or SlackApiException or SlackTransientException or SlackRateLimitedException or InvalidOperationException)
        {
            // No name in time: the steps say it without one.
        }

        var invite = name is { Length: > 0 } ? $"`/invite @{name}`" : "`/invite @` and the app's name";
        return $"Type {invite} here and run the command again, or run it in a channel where the app is.";
    }

    /// <summary>The bot user's name (auth.test), read once and shared; a failed read is tried again next time.</summary>
    private Task<string?> BotName()
    {
        lock (_nameLock)
        {
            if (_botName is null || _botName.IsFaulted || _botName.IsCanceled || (_botName.IsCompletedSuccessfully && _botName.Result is null))
            {
                _botName = ReadBotNameAsync();
            }

            return _botName;
        }
    }

    private async Task<string?> ReadBotNameAsync()
    {
        try
        {
            await Task.Yield();
            await using var scope = scopes.CreateAsyncScope();
            var identity = await scope.ServiceProvider.GetRequiredService<SlackWebClient>().AuthTestAsync(CancellationToken.None);
            return identity.User;
        }
        catch (Exception ex) when (ex is SlackApiException or SlackRateLimitedException or SlackTransientException)
        {
            LogNameUnread(ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined public channel {ChannelId} to post a job there")]
    private partial void LogJoined(string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a run in {ChannelId}: the bot cannot post there ({Why})")]
    private partial void LogUnreachable(string channelId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask Slack whether the bot can post in {ChannelId} ({Reason}); the run proceeds")]
    private partial void LogCannotAsk(string channelId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the bot's name with auth.test ({Reason})")]
    private partial void LogNameUnread(string reason);
}
