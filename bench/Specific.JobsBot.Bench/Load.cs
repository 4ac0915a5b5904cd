using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specific.Slack.Signatures;

namespace Specific.JobsBot.Bench;

/// <summary>One cell's outcome: every latency of a 2xx answer, the failures, and the wall time.</summary>
public sealed record CellResult(IReadOnlyList<double> LatenciesMs, int Failures, TimeSpan Wall, string? FirstFailure)
{
    public int Count => LatenciesMs.Count + Failures;
    public double P50 => Percentile(0.50);
    public double P99 => Percentile(0.99);
    public double Max => LatenciesMs.Count == 0 ? double.NaN : LatenciesMs.Max();
    public double RequestsPerSecond => Count / Wall.TotalSeconds;

    /// <summary>Nearest-rank percentile (no interpolation): p99 of 200 samples is the 198th smallest.</summary>
    private double Percentile(double q)
    {
        if (LatenciesMs.Count == 0)
        {
            return double.NaN;
        }
        var sorted = LatenciesMs.Order().ToList();
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Signed, form-encoded slash commands as Slack sends them, each with a unique trigger_id, from a fixed number of
/// workers that share one bounded queue of requests.
/// </summary>
public sealed class SlashCommandLoad(HttpClient http, string signingSecret, string channelId, string userId, Uri responseUrlBase)
{
    private long _sequence;

    /// <summary>Sends <paramref name="count"/> commands with <paramref name="concurrency"/> in flight; stops early at <paramref name="timeLimit"/>.</summary>
    public async Task<CellResult> RunAsync(Uri commandsUrl, string text, int concurrency, int count, TimeSpan timeLimit, CancellationToken ct)
    {
        var latencies = new List<double>(count);
        var failures = 0;
        string? firstFailure = null;
        var remaining = count;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeLimit);
        var wall = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            while (Interlocked.Decrement(ref remaining) >= 0 && !limit.IsCancellationRequested)
            {
                var (ok, elapsed, failure) = await SendOneAsync(commandsUrl, text, limit.Token);
                lock (latencies)
                {
                    if (ok)
                    {
                        latencies.Add(elapsed);
                    }
                    else
                    {
                        failures++;
                        firstFailure ??= failure;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)));
        wall.Stop();
        return new CellResult(latencies, failures, wall.Elapsed, firstFailure);
    }

    private async Task<(bool Ok, double ElapsedMs, string? Failure)> SendOneAsync(Uri commandsUrl, string text, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _sequence);
        var triggerId = string.Create(CultureInfo.InvariantCulture, $"{n}.{Environment.TickCount64}.bench{Guid.NewGuid():N}");
        var fields = new Dictionary<string, string>
        {
            ["token"] = "bench-verification-token",
            ["team_id"] = "T0SANDBOX",
            ["team_domain"] = "sandbox",
            ["channel_id"] = channelId,
            ["channel_name"] = "bench",
            ["user_id"] = userId,
            ["user_name"] = "bench",
            ["command"] = "/specific",
            ["text"] = text,
            ["api_app_id"] = "A0SANDBOX",
            ["is_enterprise_install"] = "false",
            ["response_url"] = new Uri(responseUrlBase, "bench/" + n.ToString(CultureInfo.InvariantCulture)).ToString(),
            ["trigger_id"] = triggerId,
        };
        var body = Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value))));
        var (timestamp, signature) = SlackSignature.Sign(signingSecret, DateTimeOffset.UtcNow, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, commandsUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, signature);

        // Timed from just before sending to the full answer read, as Slack waits for the whole response.
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            clock.Stop();
            return response.IsSuccessStatusCode
                ? (true, clock.Elapsed.TotalMilliseconds, null)
                : (false, clock.Elapsed.TotalMilliseconds, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, clock.Elapsed.TotalMilliseconds, e.GetType().Name + ": " + e.Message);
        }
    }
}
