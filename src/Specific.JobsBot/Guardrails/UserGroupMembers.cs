using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Guardrails;

/// <summary>Who belongs to a Slack user group, as far as the policy needs to know.</summary>
public interface IUserGroupMembers
{
    /// <summary>The group's member ids; throws when they cannot be read (the caller refuses, it never guesses).</summary>
    Task<IReadOnlySet<string>> MembersOfAsync(string groupId, CancellationToken cancellationToken);
}

/// <summary>
/// User group members from Slack's usergroups.users.list, so that a decision inside Slack's 3 seconds rarely waits on
/// Slack: members read within <see cref="GuardrailsOptions.GroupCacheDuration"/> are served from memory; older ones
/// (up to ten periods) are served while one refresh runs behind them; only a group never read waits, within
/// <see cref="LookupBudget"/>. <see cref="UserGroupWarmUp"/> reads every group the policy names at start-up.
/// </summary>
public sealed partial class SlackUserGroupMembers(
    IServiceScopeFactory scopes, IOptionsMonitor<GuardrailsOptions> options, TimeProvider time, ILogger<SlackUserGroupMembers> logger)
    : IUserGroupMembers
{
    /// <summary>How long a decision waits for Slack's answer about a group it has never read.</summary>
    public static readonly TimeSpan DefaultLookupBudget = TimeSpan.FromMilliseconds(1500);

    private readonly ConcurrentDictionary<string, Members> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<IReadOnlySet<string>>> _refreshes = new(StringComparer.Ordinal);

    /// <summary>How long a decision waits for a group it has never read.</summary>
    public TimeSpan LookupBudget { get; init; } = DefaultLookupBudget;

    public async Task<IReadOnlySet<string>> MembersOfAsync(string groupId, CancellationToken cancellationToken)
    {
        var freshFor = options.CurrentValue.GroupCacheDuration;
        var age = _cache.TryGetValue(groupId, out var cached) ? time.GetUtcNow() - cached.At : (TimeSpan?)null;
        if (cached is not null && age < freshFor)
        {
            return cached.Ids;
        }

        if (cached is not null && age < freshFor * 10)
        {
            // Stale: serve it now and refresh once behind it; a failed refresh keeps the old members.
            _ = RefreshAsync(groupId).ContinueWith(
                t => LogRefreshFailed(t.Exception!, groupId), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return cached.Ids;
        }

        try
        {
            return await RefreshAsync(groupId).WaitAsync(LookupBudget, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new UserGroupLookupException(groupId, $"Slack did not answer within {LookupBudget.TotalSeconds:0.#} s", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not UserGroupLookupException)
        {
            throw new UserGroupLookupException(groupId, ex.Message, ex);
        }
    }

    /// <summary>Reads the group from Slack now (one request shared by concurrent callers) and keeps the answer.</summary>
    public Task<IReadOnlySet<string>> RefreshAsync(string groupId) =>
        _refreshes.GetOrAdd(groupId, id => FetchAsync(id));

    private async Task<IReadOnlySet<string>> FetchAsync(string groupId)
    {
        try
        {
            await Task.Yield();
            await using var scope = scopes.CreateAsyncScope();
            var slack = scope.ServiceProvider.GetRequiredService<SlackWebClient>();
            // Not tied to one caller's token or budget: the answer serves every caller waiting on it, and the next ones.
            var ids = (await slack.ListUserGroupMembersAsync(groupId, CancellationToken.None)).ToHashSet(StringComparer.Ordinal);
            _cache[groupId] = new Members(ids, time.GetUtcNow());
            return ids;
        }
        finally
        {
            _refreshes.TryRemove(groupId, out _);
        }
    }

    private sealed record Members(IReadOnlySet<string> Ids, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the members of user group {GroupId}; the last known members are used")]
    private partial void LogRefreshFailed(Exception exception, string groupId);
}

/// <summary>Reads every user group the policy names when the bot starts, so the first decisions need not wait on Slack.</summary>
public sealed partial class UserGroupWarmUp(
    IUserGroupMembers members, IOptionsMonitor<GuardrailsOptions> options, ILogger<UserGroupWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (members is not SlackUserGroupMembers slack)
        {
            return;
        }

        var policy = options.CurrentValue;
        var groups = policy.Admins.Groups
            .Concat(policy.Environments.Values.SelectMany(e => e.Admins.Groups
                .Concat(e.Run?.Groups ?? [])
                .Concat(e.Services.Values.SelectMany(s => s.Run?.Groups ?? []))))
            .Distinct(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            try
            {
                await slack.RefreshAsync(group).WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A group Slack cannot read now is read again when a decision needs it (and refused if it still fails).
                LogWarmUpFailed(ex, group);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read user group {GroupId} at start-up")]
    private partial void LogWarmUpFailed(Exception exception, string groupId);
}

/// <summary>Thrown when a user group's members cannot be read; the decision then refuses and says why.</summary>
public sealed class UserGroupLookupException(string groupId, string reason, Exception? inner = null)
    : InvalidOperationException($"Couldn't read the members of user group {groupId}: {reason}", inner)
{
    public string GroupId { get; } = groupId;

    public string Reason { get; } = reason;
}
