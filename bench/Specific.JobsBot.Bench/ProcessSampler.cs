using System.Globalization;

namespace Specific.JobsBot.Bench;

/// <summary>
/// Reads a process's CPU time (/proc/&lt;pid&gt;/stat utime+stime) and memory (/proc/&lt;pid&gt;/status VmRSS, VmHWM)
/// once a second, for its peak resident set and its CPU use per second and overall.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    /// <summary>USER_HZ: the unit of utime and stime in /proc/&lt;pid&gt;/stat (100 on Linux for every common architecture).</summary>
    private const double ClockTicksPerSecond = 100;

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly long _startTicks;

    public ProcessSampler(int pid)
    {
        _pid = pid;
        _startTicks = CpuTicks() ?? 0;
        _loop = LoopAsync();
    }

    /// <summary>The highest VmRSS seen in a sample, in MiB.</summary>
    public double PeakRssMiB { get; private set; }

    /// <summary>The kernel's own high-water mark of the resident set (VmHWM), in MiB, at the last sample.</summary>
    public double HighWaterMarkMiB { get; private set; }

    /// <summary>The busiest one-second window, in percent of one core.</summary>
    public double PeakCpuPercent { get; private set; }

    /// <summary>CPU seconds used since the sampler started.</summary>
    public double CpuSeconds { get; private set; }

    /// <summary>CPU over wall time since the sampler started, in percent of one core.</summary>
    public double MeanCpuPercent => CpuSeconds / Math.Max(0.001, (DateTimeOffset.UtcNow - _started).TotalSeconds) * 100;

    private async Task LoopAsync()
    {
        var lastTicks = _startTicks;
        var last = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample(ref lastTicks, ref last);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample(ref long lastTicks, ref DateTimeOffset last)
    {
        if (CpuTicks() is not { } ticks)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var seconds = (now - last).TotalSeconds;
        if (seconds > 0.2)
        {
            PeakCpuPercent = Math.Max(PeakCpuPercent, (ticks - lastTicks) / ClockTicksPerSecond / seconds * 100);
        }
        CpuSeconds = (ticks - _startTicks) / ClockTicksPerSecond;
        lastTicks = ticks;
        last = now;
        foreach (var line in ReadLines($"/proc/{_pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                PeakRssMiB = Math.Max(PeakRssMiB, KibToMib(line));
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                HighWaterMarkMiB = KibToMib(line);
            }
        }
    }

    /// <summary>utime + stime, fields 14 and 15 of /proc/&lt;pid&gt;/stat, counted after the command name's closing parenthesis.</summary>
    private long? CpuTicks()
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{_pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static double KibToMib(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
