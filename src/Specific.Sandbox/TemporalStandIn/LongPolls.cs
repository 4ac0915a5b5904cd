using Grpc.Core;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>How long a long poll may be held: just short of the caller's grpc-timeout, at most the configured limit, never past stop.</summary>
internal sealed class LongPolls(ExecutionStore store, TimeSpan limit)
{
    /// <summary>Answer empty this long before the caller's deadline, so the empty answer arrives rather than DEADLINE_EXCEEDED.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    /// <summary>Deadlines are the caller's wall clock, not the stand-in's (test) clock.</summary>
    public DateTime DeadlineOf(ServerCallContext call)
    {
        var byLimit = DateTime.UtcNow + limit;
        var byCaller = call.Deadline == DateTime.MaxValue ? DateTime.MaxValue : call.Deadline.ToUniversalTime() - Margin;
        return byCaller < byLimit ? byCaller : byLimit;
    }

    public static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    public CancellationTokenSource Linked(ServerCallContext call) =>
        CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken, store.Stopping.Token);
}
