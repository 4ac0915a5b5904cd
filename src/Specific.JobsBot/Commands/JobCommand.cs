namespace Specific.JobsBot.Commands;

/// <summary>What a <c>/specific …</c> slash command asked for, as the grammar understood it.</summary>
public abstract record JobCommand;

/// <summary><c>/specific help</c> (or nothing at all): show the usage.</summary>
public sealed record HelpCommand : JobCommand;

/// <summary><c>/specific job run &lt;service&gt; [--env &lt;name&gt;] [--name &lt;label&gt;] [--timeout &lt;duration&gt;] [--] &lt;command…&gt;</c>.</summary>
/// <param name="Environment">The environment the user named, or null for the configured default.</param>
/// <param name="Command">The command exactly as typed: quotes, pipes, <c>$VARS</c> and newlines intact.</param>
/// <param name="Timeout">The time limit as typed (<c>30m</c>), or null for the environment's default; checked by the run validator.</param>
public sealed record RunJobCommand(string Service, string? Environment, string? Name, string Command, string? Timeout = null) : JobCommand;

/// <summary><c>/specific job run</c> with nothing after it: open the modal.</summary>
public sealed record OpenRunModalCommand : JobCommand;

/// <summary><c>/specific job list [&lt;service&gt;]</c>.</summary>
public sealed record ListJobsCommand(string? Service) : JobCommand;

/// <summary><c>/specific job logs &lt;job&gt; [--grep &lt;text&gt; | --file]</c>: the tail, the matching lines, or the whole log as a file.</summary>
/// <param name="Grep">The text to search for (a plain substring, case ignored), or null for the tail.</param>
/// <param name="AsFile">True to upload the whole log as a file instead of showing the tail.</param>
public sealed record JobLogsCommand(string JobId, string? Grep = null, bool AsFile = false) : JobCommand;

/// <summary><c>/specific job cancel &lt;job&gt;</c>.</summary>
public sealed record CancelJobCommand(string JobId) : JobCommand;

/// <summary><c>/specific job audit [&lt;service&gt;] [--env &lt;name&gt;]</c>: recent guarded attempts, for the environment's admins.</summary>
/// <param name="Environment">The environment the user named, or null for the configured default.</param>
public sealed record AuditCommand(string? Service, string? Environment) : JobCommand;

/// <summary>
/// <c>/specific notify [on|off]</c>: whether the person gets a direct message when a long job of theirs ends; alone, it
/// shows the current choice.
/// </summary>
/// <param name="On">True for <c>on</c>, false for <c>off</c>, null to show the current choice.</param>
public sealed record NotifyCommand(bool? On) : JobCommand;

/// <summary>Text the grammar could not accept, with what was wrong in words a person can act on.</summary>
public sealed record InvalidCommand(string Problem) : JobCommand;
