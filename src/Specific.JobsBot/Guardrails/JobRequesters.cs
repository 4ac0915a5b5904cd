using System.Collections.Concurrent;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Guardrails;

/// <summary>
/// Where to tell the person who started a job that its thread can no longer be written (the bot was removed from the
/// channel mid-job): the command's response_url while it is valid (Slack: 30 minutes), else a direct message. Only this
/// replica's memory: a job started elsewhere, or before a restart, is told by direct message.
/// </summary>
public sealed class JobRequesters(TimeProvider time)
{
    /// <summary>How long Slack honours a response_url.</summary>
    public static readonly TimeSpan ResponseUrlLifetime = TimeSpan.FromMinutes(30);

    /// <summary>The response_url was issued a moment before the job was remembered: give it up a little early.</summary>
    private static readonly TimeSpan ResponseUrlMargin = TimeSpan.FromMinutes(1);

    /// <summary>How many jobs are remembered; the oldest are dropped past it.</summary>
    public const int MaxRemembered = 2048;

    private readonly ConcurrentDictionary<string, (ReplyTarget Target, DateTimeOffset At)> _byJob = new(StringComparer.Ordinal);

    /// <summary>Remembers how the person who started <paramref name="jobId"/> can be answered.</summary>
    public void Remember(string jobId, ReplyTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_byJob.Count >= MaxRemembered)
        {
            foreach (var old in _byJob.OrderBy(entry => entry.Value.At).Take(MaxRemembered / 4).ToList())
            {
                _byJob.TryRemove(old.Key, out _);
            }
        }

        _byJob[jobId] = (target, time.GetUtcNow());
    }

    /// <summary>
    /// Where to tell the requester privately: the remembered response_url while Slack still takes it, otherwise their
    /// direct message with the app (chat.postMessage to a user id).
    /// </summary>
    public ReplyTarget TargetFor(string jobId, string userId)
    {
        if (_byJob.TryRemove(jobId, out var known) && known.Target.ResponseUrl is not null && time.GetUtcNow() - known.At < ResponseUrlLifetime - ResponseUrlMargin)
        {
            return known.Target;
        }

        return new ReplyTarget(ResponseUrl: null, ChannelId: null, userId);
    }
}
