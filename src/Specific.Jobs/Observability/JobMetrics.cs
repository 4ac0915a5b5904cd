using System.Diagnostics.Metrics;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Observability;

/// <summary>The job engine's meter: jobs by the state they ended in, and jobs whose command is running now.</summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "Specific.Jobs";

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Counter<long> finished;
    private long running;

    public JobMetrics(IMeterFactory? meterFactory = null)
    {
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        finished = meter.CreateCounter<long>(
            "jobs.finished", unit: "{job}", description: "Jobs that reached a final state, by that state (counted once, by the process that recorded it).");
        meter.CreateObservableGauge(
            "jobs.running", () => Interlocked.Read(ref running), unit: "{job}",
            description: "Jobs whose command is running and followed by this process; sum over processes for the total.");
    }

    /// <summary>Jobs whose command this process is following right now.</summary>
    public long Running => Interlocked.Read(ref running);

    /// <summary>Counts a job that this process moved into a final state.</summary>
    public void Finished(JobState state) =>
        finished.Add(1, new KeyValuePair<string, object?>("state", state.ToWire()));

    /// <summary>Counts a running command until the returned handle is disposed (once, however often it is disposed).</summary>
    public IDisposable TrackRunning()
    {
        Interlocked.Increment(ref running);
        return new RunningHandle(this);
    }

    public void Dispose()
    {
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    private sealed class RunningHandle(JobMetrics metrics) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref metrics.running);
            }
        }
    }
}
