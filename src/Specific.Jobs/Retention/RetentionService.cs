using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Retention;

/// <summary>
/// Runs a <see cref="JobRetention"/> pass every Retention:Interval, off every request path. A failed pass is logged
/// and tried again at the next interval; nothing half-deleted is left (each batch is one transaction).
/// </summary>
internal sealed class RetentionService(
    JobRetention retention, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    // The first pass comes soon after start-up (a restarted bot has not pruned for a while), but not during it.
    private static readonly TimeSpan FirstPassAtMost = TimeSpan.FromMinutes(5);

    private readonly JobRetention _retention = retention;
    private readonly RetentionOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private readonly ILogger<RetentionService> _logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            _logger.LogInformation("Retention is off (Retention__Enabled=false): nothing is deleted from the job and log stores");
            return;
        }

        var wait = _options.Interval < FirstPassAtMost ? _options.Interval : FirstPassAtMost;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, _time, stoppingToken);
                await _retention.PruneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "A retention pass failed; the next one starts in {Interval}", _options.Interval);
            }

            wait = _options.Interval;
        }
    }
}
