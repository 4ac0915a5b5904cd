using System.Collections.Concurrent;
using Specific.Jobs.Domain;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Tests.Flow.Fakes;

/// <summary>A scriptable stand-in for the Kubernetes adapter that remembers what it was asked, for unit tests.</summary>
public sealed class FakeKubernetesJobs : IKubernetesJobs
{
    public const string Image = "registry.example/web:1.2.3";
    public const string ImageWithDigest = Image + "@sha256:0123";

    /// <summary>What each call was, in order: "prepare", "create", "find production/j-…", "follow", "delete production/specific-job-…".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<FollowRequest> Follows { get; } = new();

    /// <summary>The Kubernetes Jobs that exist, by job id: a create that succeeds adds one, a delete removes it.</summary>
    public ConcurrentDictionary<string, string> Existing { get; } = new(StringComparer.Ordinal);

    public Func<PrepareJobRequest, CancellationToken, Task<PreparedJob>> Prepare { get; set; } =
        (request, _) => Task.FromResult(PreparedFor(request));

    public Func<PreparedJob, CancellationToken, Task> Create { get; set; } = (_, _) => Task.CompletedTask;

    public Func<FollowRequest, IFollowObserver, CancellationToken, Task<JobEnd>> Follow { get; set; } =
        Command(lines: 2, perLine: TimeSpan.Zero, exitCode: 0);

    public Func<string, string, CancellationToken, Task> Delete { get; set; } = (_, _, _) => Task.CompletedTask;

    public int CountOf(string call) => Calls.Count(entry => entry.StartsWith(call, StringComparison.Ordinal));

    public static PreparedJob PreparedFor(PrepareJobRequest request) => new(
        request.JobId,
        request.Namespace,
        JobIds.KubernetesJobName(request.JobId),
        "web",
        Image,
        "{}",
        ["sidecar `envoy` not replicated"]);

    /// <summary>
    /// A command that starts, prints <paramref name="lines"/> numbered lines (one per <paramref name="perLine"/>) and
    /// exits. Like the real adapter it resumes from the checkpoint: no line twice, none missing.
    /// </summary>
    public static Func<FollowRequest, IFollowObserver, CancellationToken, Task<JobEnd>> Command(
        int lines, TimeSpan perLine, int exitCode) => async (request, observer, cancellationToken) =>
    {
        if (!request.Checkpoint.Running)
        {
            await observer.OnRunningAsync(ImageWithDigest, null, cancellationToken);
            observer.OnProgress(request.Checkpoint with { Running = true });
        }

        for (var number = request.Checkpoint.LastLogLine + 1; number <= lines; number++)
        {
            if (perLine > TimeSpan.Zero)
            {
                await Task.Delay(perLine, cancellationToken);
            }

            var line = new LogLine(number, DateTimeOffset.UnixEpoch.AddSeconds(number), LogStream.Output, $"line {number}");
            await observer.OnLogLinesAsync([line], cancellationToken);
            observer.OnProgress(new FollowCheckpoint(number, line.Timestamp, Running: true));
        }

        return new JobEnd(exitCode == 0, exitCode, null);
    };

    public Task<PreparedJob> PrepareAsync(PrepareJobRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue("prepare");
        return Prepare(request, cancellationToken);
    }

    public async Task CreateAsync(PreparedJob job, CancellationToken cancellationToken)
    {
        Calls.Enqueue("create");
        await Create(job, cancellationToken);
        Existing[job.JobId] = job.JobName;
    }

    public Task<string?> FindAsync(string? environment, string @namespace, string jobId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"find {@namespace}/{jobId}");
        return Task.FromResult(Existing.TryGetValue(jobId, out var name) ? name : null);
    }

    public Task<JobEnd> FollowAsync(FollowRequest request, IFollowObserver observer, CancellationToken cancellationToken)
    {
        Calls.Enqueue("follow");
        Follows.Enqueue(request);
        return Follow(request, observer, cancellationToken);
    }

    public Task DeleteAsync(string @namespace, string jobName, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"delete {@namespace}/{jobName}");
        foreach (var existing in Existing.Where(entry => entry.Value == jobName))
        {
            Existing.TryRemove(existing);
        }

        return Delete(@namespace, jobName, cancellationToken);
    }
}
