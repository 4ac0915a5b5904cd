using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Specific.JobsBot.Bench;

/// <summary>Finds the job messages in the channels and polls the sampled threads, noting when each line first shows.</summary>
internal sealed class ThreadWatcher(HttpClient http, Uri api, IReadOnlyList<string> channels, LiveOptions options)
{
    private readonly ConcurrentDictionary<string, string> _threads = new(StringComparer.Ordinal); // ts -> channel
    private readonly ConcurrentDictionary<string, byte> _sampled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Thread, int Line), double> _lags = new();
    private readonly ConcurrentDictionary<string, string> _oldest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _lastLineSeen = new(StringComparer.Ordinal);
    private int _found;

    private int Stride => Math.Max(1, options.Jobs / Math.Max(1, Math.Min(options.Sampled, options.Jobs)));

    public int ThreadsFound => _threads.Count;

    /// <summary>The first thread sampled, for an example timeline.</summary>
    public (string Channel, string Ts)? FirstSampled => _sampled.Keys.Order(StringComparer.Ordinal).Select(ts => (_threads[ts], ts)).FirstOrDefault() is { Item2: not null } first ? first : null;

    public int SampledThreads => _sampled.Count;

    /// <summary>Every sampled thread exists and has shown its last line.</summary>
    public bool AllSeen => _sampled.Count >= Math.Min(options.Sampled, options.Jobs)
        && _sampled.Keys.All(ts => _lastLineSeen.GetValueOrDefault(ts) == options.Seconds);

    public IReadOnlyList<double> Lags() => [.. _lags.Values];

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_sampled.Count < Math.Min(options.Sampled, options.Jobs))
                {
                    await Task.WhenAll(channels.Select(c => DiscoverAsync(c, ct)));
                }
                await Parallel.ForEachAsync(_sampled.Keys.Where(ts => _lastLineSeen.GetValueOrDefault(ts) < options.Seconds).ToList(),
                    new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (ts, token) => await PollAsync(ts, token));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The bench has seen enough.
        }
    }

    private async Task DiscoverAsync(string channel, CancellationToken ct)
    {
        var page = await CallAsync("conversations.history", new { channel, limit = 1000 }, ct);
        if (page is null)
        {
            return;
        }
        foreach (var message in page.Value.GetProperty("messages").EnumerateArray().Reverse())
        {
            var ts = message.GetProperty("ts").GetString()!;
            if (message.TryGetProperty("thread_ts", out var parent) && parent.GetString() != ts)
            {
                continue;
            }
            if (_threads.TryAdd(ts, channel) && Interlocked.Increment(ref _found) % Stride == 0 && _sampled.Count < options.Sampled)
            {
                _sampled.TryAdd(ts, 0);
            }
        }
    }

    private async Task PollAsync(string ts, CancellationToken ct)
    {
        var channel = _threads[ts];
        var page = await CallAsync("conversations.replies", new { channel, ts, oldest = _oldest.GetValueOrDefault(ts, ts), limit = 1000 }, ct);
        if (page is null)
        {
            return;
        }
        var seenAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var message in page.Value.GetProperty("messages").EnumerateArray())
        {
            var replyTs = message.GetProperty("ts").GetString()!;
            if (replyTs == ts)
            {
                continue;
            }
            _oldest[ts] = replyTs;
            foreach (Match match in LiveBench.TickLine().Matches(message.GetRawText()))
            {
                var line = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
                var printed = long.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture);
                if (_lags.TryAdd((ts, line), seenAt - printed))
                {
                    _lastLineSeen.AddOrUpdate(ts, line, (_, before) => Math.Max(before, line));
                }
            }
        }
    }

    private async Task<JsonElement?> CallAsync(string method, object body, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, method)) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new("Bearer", LiveBench.ObserverToken);
            using var response = await http.SendAsync(request, ct);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return document.RootElement.GetProperty("ok").GetBoolean() ? document.RootElement.Clone() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
