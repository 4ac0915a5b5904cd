namespace Specific.JobsBot.Tests.Hosting;

/// <summary>
/// Tests that count what a host's /metrics shows run alone, never beside the other hosts this assembly starts (dozens
/// in one process, which production never has). OpenTelemetry's MeterProvider subscribes to meters by name, not by the
/// IMeterFactory that made them, so every host's provider also sees the other hosts' "Specific.Jobs" or "Specific.Slack"
/// instruments, which adds their counts to its own; and disposing one meter ends every same-named meter's stream in a
/// provider (open-telemetry/opentelemetry-dotnet#6412), so a host stopped by another test silently stopped this host's
/// counters: a CI run saw jobs_finished_total never appear for a job that had succeeded. <see cref="OpsApp.MetricsAsync"/>
/// refuses to scrape from any other collection, so a new test cannot fall into this again.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
