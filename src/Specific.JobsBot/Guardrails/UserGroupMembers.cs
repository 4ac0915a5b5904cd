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
/// User group members from Slack's usergroups.users.list, kept for <see cref="GuardrailsOptions.GroupCacheDuration"/>
/// so that a decision inside Slack's 3 seconds rarely waits on Slack; a lookup is bounded by <see cref="LookupBudget"/>.
/// When Slack fails, members read within the last ten cache periods are used rather than refusing everyone.
/// </summary>
public sealed partial class SlackUserGroupMembers(
    IServiceScopeFactory scopes, IOptionsMonitor<GuardrailsOptions> options, TimeProvider time, ILogger<SlackUserGroupMembers> logger)
    : IUserGroupMembers
{
    /// <summary>How long a decision waits for Slack's answer about one group.</summary>
    public static readonly TimeSpan LookupBudget = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Members> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlySet<string>> MembersOfAsync(string groupId, CancellationToken cancellationToken)
    {
        var freshFor = options.CurrentValue.GroupCacheDuration;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(groupId, out var cached) && now - cached.At < freshFor)
        {
            return cached.Ids;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LookupBudget);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var slack = scope.ServiceProvider.GetRequiredService<SlackWebClient>();
            var ids = (await slack.ListUserGroupMembersAsync(groupId, budget.Token)).ToHashSet(StringComparer.Ordinal);
            _cache[groupId] = new Members(ids, time.GetUtcNow());
            return ids;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (cached is not null && now - cached.At < freshFor * 10)
            {
                LogServedStale(ex, groupId);
                return cached.Ids;
            }

            throw new UserGroupLookupException(groupId, ex is OperationCanceledException ? $"Slack did not answer within {LookupBudget.TotalSeconds:0.#} s" : ex.Message, ex);
        }
    }

    private sealed record Members(IReadOnlySet<string> Ids, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the members of user group {GroupId}; using the last known members")]
    private partial void LogServedStale(Exception exception, string groupId);
}

/// <summary>Thrown when a user group's members cannot be read; the decision then refuses and says why.</summary>
public sealed class UserGroupLookupException(string groupId, string reason, Exception? inner = null)
    : InvalidOperationException($"Couldn't read the members of user group {groupId}: {reason}", inner)
{
    public string GroupId { get; } = groupId;

    public string Reason { get; } = reason;
}
