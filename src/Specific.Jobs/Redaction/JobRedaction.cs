using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Redaction;

/// <summary>
/// <see cref="IJobRedaction"/>: each job's secret values, read once and kept briefly (a bounded number of jobs, each
/// for <see cref="RedactionOptions.CacheDuration"/>), plus the token shapes. When value redaction is on but a Secret
/// cannot be read, the output is still redacted by shape and the redactor's <see cref="ITextRedactor.Warning"/> says
/// why, for the thread to show; nothing is posted unredacted in silence.
/// </summary>
public sealed partial class JobRedaction(
    ISecretValueSource source, IOptions<RedactionOptions> options, TimeProvider time, ILogger<JobRedaction> logger) : IJobRedaction
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ITextRedactor> ForJobAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var settings = options.Value;
        if (!settings.SecretValues)
        {
            return SecretRedactor.ShapesOnly;
        }

        CacheEntry entry;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_cache.TryGetValue(job.Id, out entry!) || entry.ExpiresAt <= now)
            {
                MakeRoom(now, settings.MaxCachedJobs);
                entry = new CacheEntry(now + settings.CacheDuration);
                var created = entry;
                // Started outside the lock, once; not with the caller's token: other callers share this read, and one
                // of them giving up must not fail it.
                entry.Redactor = new Lazy<Task<ITextRedactor>>(() => LoadAsync(job, created, settings));
                _cache[job.Id] = entry;
            }
        }
        return await entry.Redactor.Value.WaitAsync(cancellationToken);
    }

    /// <summary>How many jobs' values are held now (for tests of the bound).</summary>
    public int CachedJobs
    {
        get
        {
            lock (_gate)
            {
                return _cache.Count;
            }
        }
    }

    private async Task<ITextRedactor> LoadAsync(JobRecord job, CacheEntry entry, RedactionOptions settings)
    {
        SecretValueRead read;
        using (var timeout = new CancellationTokenSource(settings.ReadTimeout, time))
        {
            try
            {
                read = await source.ReadAsync(job, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                read = new SecretValueRead([], [$"reading the job's Secrets took longer than {settings.ReadTimeout.TotalSeconds:0.#} s"]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogReadFailed(e, job.Id);
                read = new SecretValueRead([], [$"reading the job's Secrets failed ({e.GetType().Name}: {e.Message})"]);
            }
        }

        string? warning = null;
        if (read.Problems.Count > 0)
        {
            warning = (read.Values.Count > 0
                    ? "Some secret values could not be read, so they may show here; only the values that could be read and token shapes are redacted: "
                    : "Secret values could not be read, so they may show here; only token shapes are redacted: ")
                + string.Join("; ", read.Problems.Distinct(StringComparer.Ordinal)) + ".";
            lock (_gate)
            {
                // Forbidden today may be granted in a minute: try again soon rather than keep the gap.
                var retryAt = time.GetUtcNow() + settings.RetryFailedReadAfter;
                if (retryAt < entry.ExpiresAt)
                {
                    entry.ExpiresAt = retryAt;
                }
            }
        }
        return new SecretRedactor(SecretValueSet.Create(read.Values), warning);
    }

    private void MakeRoom(DateTimeOffset now, int capacity)
    {
        if (_cache.Count < capacity)
        {
            return;
        }
        foreach (var expired in _cache.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList())
        {
            _cache.Remove(expired);
        }
        while (_cache.Count >= capacity)
        {
            _cache.Remove(_cache.MinBy(e => e.Value.ExpiresAt).Key);
        }
    }

    private sealed class CacheEntry(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
        public Lazy<Task<ITextRedactor>> Redactor { get; set; } = null!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the Secrets of job {JobId} for redaction failed; redacting by shape only")]
    private partial void LogReadFailed(Exception exception, string jobId);
}
