using Specific.Jobs.Domain;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>Jobs at fixed moments, so rendered durations never depend on the clock.</summary>
internal static class JobFixtures
{
    public static readonly DateTimeOffset Created = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    public static JobRecord Pending(string id = "j-7k2m9x4q") => new()
    {
        Id = id,
        Service = "web",
        Environment = "production",
        Command = "echo $GREETING",
        Name = "nightly-backfill",
        Origin = new JobOrigin(JobOrigin.Slack, "T1", "C0123", "U2147483697", "alice"),
        Timeout = TimeSpan.FromMinutes(10),
        State = JobState.Pending,
        Version = 1,
        CreatedAt = Created,
    };

    public static JobRecord Queued(string id = "j-7k2m9x4q") =>
        Pending(id) with { State = JobState.Queued, Version = 2, QueuedAt = Created.AddSeconds(1) };

    public static JobRecord Running(string id = "j-7k2m9x4q") => Queued(id) with
    {
        State = JobState.Running,
        Version = 4,
        RunningAt = Created.AddSeconds(4),
        KubernetesJobName = JobIds.KubernetesJobName(id),
        Namespace = "production",
        Image = "registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Notes = ["sidecar `envoy` not replicated", "init container `migrate` not replicated"],
    };

    public static JobRecord Succeeded(string id = "j-7k2m9x4q") => Running(id) with
    {
        State = JobState.Succeeded,
        Version = 5,
        FinishedAt = Created.AddSeconds(4 + 125),
        ExitCode = 0,
    };

    public static JobRecord FailedWithExitCode(string id = "j-7k2m9x4q") => Running(id) with
    {
        State = JobState.Failed,
        Version = 5,
        FinishedAt = Created.AddSeconds(4 + 42),
        ExitCode = 3,
        FailureReason = "The command exited with code 3.",
    };

    public static JobRecord FailedBeforeRunning(string id = "j-7k2m9x4q") => Queued(id) with
    {
        State = JobState.Failed,
        Version = 3,
        FinishedAt = Created.AddSeconds(2),
        Notes = [],
        FailureReason = "The service `web` is not deployed in `production`: there is no Deployment named web in namespace production. Deploy it first, then run the job again.",
    };

    public static JobRecord Cancelled(string id = "j-7k2m9x4q") => Running(id) with
    {
        State = JobState.Cancelled,
        Version = 6,
        FinishedAt = Created.AddSeconds(4 + 3600 + 300),
        FailureReason = "Cancelled by <@U2147483697> from Slack.",
    };
}
