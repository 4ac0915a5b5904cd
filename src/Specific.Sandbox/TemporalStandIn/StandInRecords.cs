namespace Specific.Sandbox.TemporalStandIn;

/// <summary>A workflow run as the stand-in's read model shows it: what the Temporal UI's list and history pages show.</summary>
public sealed record StandInWorkflow(
    string WorkflowId,
    string RunId,
    string WorkflowType,
    string TaskQueue,
    string Status,
    DateTimeOffset StartTime,
    DateTimeOffset? CloseTime,
    IReadOnlyList<StandInHistoryEvent> History);

/// <summary>One history event: its id, time, type (e.g. ActivityTaskScheduled) and the whole event as Temporal's JSON.</summary>
public sealed record StandInHistoryEvent(long EventId, DateTimeOffset Time, string EventType, string Json);
