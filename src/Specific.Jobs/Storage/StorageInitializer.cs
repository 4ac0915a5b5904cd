using Microsoft.Extensions.Hosting;
using Specific.Jobs.Logs;

namespace Specific.Jobs.Storage;

/// <summary>
/// Migrates the stores while the host starts, before any hosted service's StartAsync runs, so a bad database
/// fails the start instead of the first request. (Each store also migrates on first use, whoever comes first.)
/// </summary>
internal sealed class StorageInitializer(IJobStorageBackend jobs, SqliteLogStore logs) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await jobs.InitializeAsync(cancellationToken);
        await logs.InitializeAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
