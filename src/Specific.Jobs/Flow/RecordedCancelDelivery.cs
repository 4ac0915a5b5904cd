using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Flow;

/// <summary>
/// On start, passes every recorded but unfinished cancel to the launcher again: a bot that died between recording a
/// cancel and asking Temporal to cancel the workflow would otherwise leave the job running. Asking twice is harmless.
/// (The in-process runner needs no sweep: its own start launches such jobs cancelled.)
/// </summary>
public sealed partial class RecordedCancelDelivery(IJobStore jobs, IJobLauncher launcher, ILogger<RecordedCancelDelivery> logger)
    : BackgroundService
{
    /// <summary>How many jobs the sweep reads: the store's largest page, of unfinished jobs with a recorded cancel only.</summary>
    public const int SweptJobs = 500;

    /// <summary>The sweep's work, done once; awaitable by tests.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        // Filtered in the store: a page of all unfinished jobs missed the cancels of the oldest when more than a page ran.
        var cancelled = await jobs.ListAsync(new JobQuery(UnfinishedOnly: true, Limit: SweptJobs) { CancelRequestedOnly = true }, cancellationToken);
        foreach (var job in cancelled)
        {
            try
            {
                await launcher.CancelAsync(job.Id, cancellationToken);
                LogDelivered(job.Id, job.CancelRequestedBy);
            }
            catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
            {
                LogNotDelivered(failure, job.Id);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SweepAsync(stoppingToken);
        }
        catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
        {
            LogSweepFailed(failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Passed {UserId}'s recorded cancel of job {JobId} on to its flow again")]
    private partial void LogDelivered(string jobId, string? userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not pass the recorded cancel of job {JobId} on to its flow; the next start tries again")]
    private partial void LogNotDelivered(Exception failure, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read the recorded cancels at start; the next start tries again")]
    private partial void LogSweepFailed(Exception failure);
}
