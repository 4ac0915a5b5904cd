using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Logs.ClickHouse;

/// <summary>
/// Reads job logs from an OpenTelemetry collector's <c>otel_logs</c> table, for platforms that already ship pod logs
/// there. The collector writes; the worker appends nothing (<see cref="AppendAsync"/> refuses). A job's records are
/// found by its Kubernetes Job name or job-id pod label within its time window; line numbers are derived in the query.
/// </summary>
public sealed class OtelLogsSource : ILogStore
{
    /// <summary>The resource attribute the collector's k8sattributes processor gives our job-id pod label by default.</summary>
    public const string DefaultJobIdAttribute = "k8s.pod.labels." + JobLabels.JobId;

    /// <summary>Records may be shipped a while after the job ended; the window stays open this long after its end.</summary>
    public static readonly TimeSpan ShippingLag = TimeSpan.FromMinutes(15);

    /// <summary>Clocks differ between the bot and the nodes; the window opens this long before the job was created.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private readonly IClickHouseGateway _clickHouse;
    private readonly IJobStore _jobs;
    private readonly TimeProvider _time;
    private readonly string _jobIdAttribute;

    public OtelLogsSource(IClickHouseGateway clickHouse, IJobStore jobs, TimeProvider time, string jobIdAttribute = DefaultJobIdAttribute)
    {
        ArgumentNullException.ThrowIfNull(clickHouse);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobIdAttribute);
        _clickHouse = clickHouse;
        _jobs = jobs;
        _time = time;
        _jobIdAttribute = jobIdAttribute;
    }

    /// <summary>The collector owns this table: a caller that appends has not honoured <c>Logs:Source</c>.</summary>
    public Task AppendAsync(string jobId, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Logs:Source is otel_logs: the OpenTelemetry collector writes job lines, the worker must not.");

    public async Task<IReadOnlyList<LogLine>> ReadAfterAsync(string jobId, long afterNumber, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0 || await ScopeAsync(jobId, cancellationToken) is not { } scope)
        {
            return [];
        }

        scope.Add("after", (ulong)Math.Max(0, afterNumber));
        scope.Add("limit", (uint)limit);
        return await ReadAsync(OtelLogsQueries.ReadAfter, scope, cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> TailAsync(string jobId, int count, CancellationToken cancellationToken)
    {
        if (count <= 0 || await ScopeAsync(jobId, cancellationToken) is not { } scope)
        {
            return [];
        }

        scope.Add("count", (uint)count);
        var newestFirst = await ReadAsync(OtelLogsQueries.Tail, scope, cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    public async Task<long> LastNumberAsync(string jobId, CancellationToken cancellationToken)
    {
        if (await ScopeAsync(jobId, cancellationToken) is not { } scope)
        {
            return 0;
        }

        var count = await _clickHouse.ScalarAsync(new ClickHouseStatement(OtelLogsQueries.LastNumber, scope), cancellationToken);
        return count is null ? 0 : Convert.ToInt64(count, CultureInfo.InvariantCulture);
    }

    public async IAsyncEnumerable<LogLine> ReadAllAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await ScopeAsync(jobId, cancellationToken) is not { } scope)
        {
            yield break;
        }

        await foreach (var line in _clickHouse.QueryAsync(new ClickHouseStatement(OtelLogsQueries.ReadAll, scope), ReadLine, cancellationToken))
        {
            yield return line;
        }
    }

    public async Task<LogSearchResult> SearchAsync(string jobId, string text, int limit, CancellationToken cancellationToken)
    {
        LogSearchResult.ThrowIfInvalid(text, limit);
        if (await ScopeAsync(jobId, cancellationToken) is not { } scope)
        {
            return new LogSearchResult([], 0);
        }

        scope.Add("text", text);
        var counting = new Dictionary<string, object>(scope, StringComparer.Ordinal) { ["cap"] = (uint)(LogSearchResult.CountLimit + 1) };
        var counted = await _clickHouse.ScalarAsync(new ClickHouseStatement(OtelLogsQueries.CountMatches, counting), cancellationToken);
        var matches = counted is null ? 0 : Convert.ToInt64(counted, CultureInfo.InvariantCulture);
        if (matches == 0 || limit == 0)
        {
            return new LogSearchResult([], matches);
        }

        scope.Add("limit", (uint)limit);
        return new LogSearchResult(await ReadAsync(OtelLogsQueries.Search, scope, cancellationToken), matches);
    }

    /// <summary>The parameters that pick out one job's records, or null for a job the store does not know.</summary>
    private async Task<Dictionary<string, object>?> ScopeAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await _jobs.GetAsync(jobId, cancellationToken);
        return job is null ? null : ScopeOf(job, _time.GetUtcNow(), _jobIdAttribute);
    }

    /// <summary>The job's Kubernetes Job name, its job-id attribute, and the time window its records fall in.</summary>
    public static Dictionary<string, object> ScopeOf(JobRecord job, DateTimeOffset now, string jobIdAttribute)
    {
        ArgumentNullException.ThrowIfNull(job);
        var to = job.FinishedAt is { } finished ? finished + ShippingLag : now + ShippingLag;
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["from"] = WholeSeconds((job.QueuedAt ?? job.CreatedAt) - ClockSkew),
            ["to"] = WholeSeconds(to),
            ["job_name"] = job.KubernetesJobName ?? JobIds.KubernetesJobName(job.Id),
            ["job_id_attribute"] = jobIdAttribute,
            ["job_id"] = job.Id,
        };
    }

    /// <summary>A record: its derived line number, timestamp, <c>log.iostream</c> and body.</summary>
    internal static LogLine ReadLine(IDataRecord row) => new(
        Convert.ToInt64(row.GetValue(0), CultureInfo.InvariantCulture),
        ClickHouseValues.ToTimestamp(row.GetValue(1)),
        row.GetString(2) switch
        {
            "stdout" => LogStream.Stdout,
            "stderr" => LogStream.Stderr,
            _ => LogStream.Output,
        },
        row.GetString(3).TrimEnd('\n', '\r'));

    private static DateTime WholeSeconds(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private async Task<List<LogLine>> ReadAsync(string sql, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>();
        await foreach (var line in _clickHouse.QueryAsync(new ClickHouseStatement(sql, parameters), ReadLine, cancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }
}
