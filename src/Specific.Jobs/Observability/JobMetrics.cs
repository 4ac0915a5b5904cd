using System.Diagnostics.Metrics;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Observability;

/// <summary>The job engine's meter: jobs recorded, jobs by the state they ended in, and jobs whose command is running now.</summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "Specific.Jobs";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _recorded;
    private long _running;

    public JobMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _finished = _meter.CreateCounter<long>(
            "jobs.finished", unit: "{job}", description: "Jobs that reached a final state, by that state (counted once, by the process that recorded it).");
        _recorded = _meter.CreateCounter<long>(
            "jobs.recorded", unit: "{job}", description: "Jobs recorded to start (each start the guardrails allowed), by environment, on either engine.");
        _meter.CreateObservableGauge(
            "jobs.running", () => Interlocked.Read(ref _running), unit: "{job}",
            description: "Jobs whose command is running and followed by this process; sum over processes for the total.");
    }

    /// <summary>Jobs whose command this process is following right now.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Counts a job this process recorded, about to be handed to its engine.</summary>
    public void Recorded(string environment) =>
        _recorded.Add(1, new KeyValuePair<string, object?>("environment", environment));

    /// <summary>Counts a job that this process moved into a final state.</summary>
    public void Finished(JobState state) =>
        _finished.Add(1, new KeyValuePair<string, object?>("state", state.ToWire()));

    /// <summary>Counts a running command until the returned handle is disposed (once, however often it is disposed).</summary>
    public IDisposable TrackRunning()
    {
        Interlocked.Increment(ref _running);
        return new RunningHandle(this);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private sealed class RunningHandle(JobMetrics metrics) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref metrics._running);
            }
        }
    }
}
