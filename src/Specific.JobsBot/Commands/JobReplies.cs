using System.Text;
using Humanizer;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Commands;

/// <summary>The text of the front door's private answers: the run acknowledgement and job lists (log answers: <see cref="JobLogReplies"/>).</summary>
public static class JobReplies
{
    /// <summary>How many lines <c>job logs</c> shows.</summary>
    public const int TailLines = 30;

    /// <summary>The state's emoji, the same one the job message shows.</summary>
    public static string Emoji(JobState state) => JobStateText.Emoji(state);

    /// <summary>"Starting `echo hi` on `web` in `production`…", with a long or multi-line command shown as a block.</summary>
    public static string Starting(JobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var where = $"on `{request.Service}` in `{request.Environment}`";
        var label = (request.Name is null ? "" : $" ({request.Name})") + (request.Task is { } task ? $", task `{task}`," : "");
        return request.Command.Contains('\n', StringComparison.Ordinal) || request.Command.Contains('`', StringComparison.Ordinal) || request.Command.Length > 120
            ? $"Starting a job{label} {where}:\n{CodeBlock(Shorten(request.Command, 1000))}"
            : $"Starting `{request.Command}`{label} {where}…";
    }

    /// <summary>
    /// Recent jobs, newest first, with state emoji and age, and the time limit of those not yet ended. The jobs come redacted (<see cref="JobLister"/>); commands
    /// are redacted by token shape once more, as every text a person typed.
    /// </summary>
    /// <param name="where">Which jobs these are, as words after "Recent jobs" (" in this channel"); empty for all.</param>
    public static string List(IReadOnlyList<JobRecord> jobs, string? service, string where, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(where);
        var scope = (service is null ? "" : $" on `{service}`") + where;
        if (jobs.Count == 0)
        {
            return $"No jobs{scope} yet. Start one with `/specific job run <service> <command>`.";
        }

        var text = new StringBuilder($"*Recent jobs{scope}*\n");
        foreach (var job in jobs)
        {
            var name = job.Name is null ? "" : $" {Shorten(job.Name, 40)}";
            var who = job.Origin.UserId is null ? "" : $" by <@{job.Origin.UserId}>";
            text.Append(Emoji(job.State)).Append(" `").Append(job.Id).Append('`').Append(name)
                .Append(" · `").Append(job.Service).Append("` in ").Append(job.Environment)
                // "running · requested 3 minutes ago": the time is when it was asked for, not how long it has run.
                .Append(" · ").Append(job.State.ToWire())
                .Append(" · requested ").Append(job.CreatedAt.Humanize(now))
                .Append(who)
                .Append(!job.State.IsFinal() && job.Timeout is { } limit ? $" · limit {TimeoutText.Format(limit)}" : "")
                .Append(job.Task is { } task ? $" · task `{task}`" : "")
                .Append(" · `").Append(Shorten(OneLine(SecretRedactor.ShapesOnly.Redact(job.Command)), 60).Replace('`', '\'')).Append("`\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string CodeBlock(string text) => $"```\n{text}\n```";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ⏎ ");

    private static string Shorten(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
