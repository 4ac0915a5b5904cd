using System.Collections.Concurrent;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Testing;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Tests.Commands.Host;

/// <summary>A launcher that moves jobs to queued in the store, or fails when told to, and remembers cancels.</summary>
public sealed class RecordingLauncher(InMemoryJobStore store) : IJobLauncher
{
    public ConcurrentQueue<string> Started { get; } = new();
    public ConcurrentQueue<string> Cancelled { get; } = new();

    /// <summary>For each cancel asked of the flow, whose cancel the job store held at that moment (null: none recorded).</summary>
    public ConcurrentDictionary<string, string?> CancelRecordedBy { get; } = new(StringComparer.Ordinal);
    public Exception? FailStartWith { get; set; }

    public async Task StartAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (FailStartWith is not null)
        {
            throw FailStartWith;
        }

        var result = await store.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Queued, DateTimeOffset.UtcNow), cancellationToken);
        if (!result.Applied)
        {
            throw new InvalidOperationException($"Job {job.Id} was started twice.");
        }

        Started.Enqueue(job.Id);
    }

    public Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        CancelRecordedBy[jobId] = store.All.FirstOrDefault(job => job.Id == jobId)?.CancelRequestedBy;
        Cancelled.Enqueue(jobId);
        return Task.CompletedTask;
    }

    public Task<FlowDescription> DescribeAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(new FlowDescription(jobId, "unknown"));
}

/// <summary>The live Deployments of each environment, or a catalog that fails or stalls when told to.</summary>
public sealed class StubServiceCatalog : IServiceCatalog
{
    public Dictionary<string, string[]> Services { get; } = new()
    {
        ["production"] = ["api", "web", "worker"],
        ["staging"] = ["web", "web-canary"],
    };

    public Exception? FailWith { get; set; }
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public async Task<IReadOnlyList<string>> ListServicesAsync(string environment, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (FailWith is not null)
        {
            throw FailWith;
        }

        return Services.GetValueOrDefault(environment) ?? [];
    }
}

/// <summary>User groups defined by the test; an unknown group fails as Slack's lookup would, and every lookup is counted.</summary>
public sealed class StubUserGroups : IUserGroupMembers
{
    private int _lookups;

    public ConcurrentDictionary<string, string[]> Members { get; } = new(StringComparer.Ordinal);

    public int Lookups => _lookups;

    public Task<IReadOnlySet<string>> MembersOfAsync(string groupId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return Members.TryGetValue(groupId, out var members)
            ? Task.FromResult<IReadOnlySet<string>>(members.ToHashSet(StringComparer.Ordinal))
            : Task.FromException<IReadOnlySet<string>>(new UserGroupLookupException(groupId, "no_such_subteam"));
    }
}
