using System.Text;
using Humanizer;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Redaction;
using Specific.JobsBot.Threads;

namespace Specific.JobsBot.Commands;

/// <summary>The text of the front door's private answers: the run acknowledgement, job lists and log tails.</summary>
public static class JobReplies
{
    /// <summary>How many lines <c>job logs</c> shows.</summary>
    public const int TailLines = 30;

    /// <summary>What a code block in a section may hold, with room for the fences and the headline.</summary>
    public const int TailCharacters = 2800;

    private const int LineCharacters = 300;

    /// <summary>The state's emoji, the same one the job message shows.</summary>
    public static string Emoji(JobState state) => JobStateText.Emoji(state);

    /// <summary>"Starting `echo hi` on `web` in `production`…", with a long or multi-line command shown as a block.</summary>
    public static string Starting(JobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var where = $"on `{request.Service}` in `{request.Environment}`";
        var label = request.Name is null ? "" : $" ({request.Name})";
        return request.Command.Contains('\n', StringComparison.Ordinal) || request.Command.Contains('`', StringComparison.Ordinal) || request.Command.Length > 120
            ? $"Starting a job{label} {where}:\n{CodeBlock(Shorten(request.Command, 1000))}"
            : $"Starting `{request.Command}`{label} {where}…";
    }

    /// <summary>Recent jobs, newest first, with state emoji and age; commands redacted by token shape (no Secrets are read for a list).</summary>
    public static string List(IReadOnlyList<JobRecord> jobs, string? service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var scope = service is null ? "" : $" on `{service}`";
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
                .Append(" · ").Append(job.State.ToWire())
                .Append(' ').Append(job.CreatedAt.Humanize(now))
                .Append(who)
                .Append(" · `").Append(Shorten(OneLine(SecretRedactor.ShapesOnly.Redact(job.Command)), 60).Replace('`', '\'')).Append("`\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>The last lines of a job's log as a code block within a section's limits, newest lines kept.</summary>
    public static string Tail(JobRecord job, IReadOnlyList<LogLine> lines, long lastNumber)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(lines);
        var headline = $"{Emoji(job.State)} `{job.Id}` on `{job.Service}` in {job.Environment}: {job.State.ToWire()}";
        if (lines.Count == 0)
        {
            return $"{headline}. No output yet.";
        }

        var kept = new List<string>();
        var used = 0;
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            var line = Shorten(lines[i].Text, LineCharacters).Replace("```", "'''", StringComparison.Ordinal);
            if (used + line.Length + 1 > TailCharacters)
            {
                break;
            }

            kept.Add(line);
            used += line.Length + 1;
        }

        kept.Reverse();
        var first = lastNumber - kept.Count + 1;
        var range = first <= 1 ? $"all {lastNumber} lines" : $"lines {first}–{lastNumber} of {lastNumber}";
        return $"{headline}. Output, {range}:\n{CodeBlock(string.Join('\n', kept))}\n" +
               $"The *Full log* button on the job's message uploads the whole log as a file.";
    }

    private static string CodeBlock(string text) => $"```\n{text}\n```";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ⏎ ");

    private static string Shorten(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
