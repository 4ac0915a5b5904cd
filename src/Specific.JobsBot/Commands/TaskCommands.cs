namespace Specific.JobsBot.Commands;

/// <summary>
/// <c>/specific task run &lt;service&gt; &lt;task&gt; [--env &lt;name&gt;] [--name &lt;label&gt;] [--timeout &lt;duration&gt;]</c>: run a
/// saved task (<c>Tasks:&lt;service&gt;:&lt;task&gt;</c>).
/// </summary>
/// <param name="Environment">The environment the user named, or null for the configured default.</param>
/// <param name="Timeout">The time limit as typed, or null for the task's own limit (else the environment's default).</param>
public sealed record RunTaskCommand(string Service, string Task, string? Environment, string? Name, string? Timeout) : JobCommand;

/// <summary><c>/specific task list [&lt;service&gt;]</c>: the saved tasks, with their commands and where they are offered.</summary>
public sealed record ListTasksCommand(string? Service) : JobCommand;
