using System.Text;
using Specific.Jobs.Domain;
using Specific.Jobs.Testing;
using Specific.JobsBot.Interactions;
using Specific.JobsBot.Tests.Commands;

namespace Specific.JobsBot.Tests.Interactions;

/// <summary>The full-log file: the whole log in order, redacted, and capped with a note that says what was cut.</summary>
public sealed class FullLogFileTests
{
    private static readonly JobRecord Job = SlashCommandEndpointTests.Job("j-fullfile", "web", JobState.Failed, DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly InMemoryLogStore _logs = new();
    private readonly JobLogRepliesTests.SplitSecretRedaction _redaction = new();

    [Fact]
    public async Task A_log_under_the_cap_is_written_whole_in_order_across_redaction_blocks()
    {
        _logs.Write(Job.Id, Enumerable.Range(1, 2_500).Select(i => $"line {i}").ToArray());

        var (summary, lines) = await WriteAsync(maxBytes: 10 * 1024 * 1024);

        Assert.Equal(new FullLogSummary(2_500, 0, summary.Bytes), summary);
        Assert.Equal(Enumerable.Range(1, 2_500).Select(i => $"line {i}"), lines.Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]));
    }

    [Fact]
    public async Task Secrets_are_redacted_in_the_file_even_when_a_value_spans_two_lines()
    {
        _logs.Write(Job.Id, "password=hunter2", "key part one", "key part two", "done");

        var (_, lines) = await WriteAsync(maxBytes: 1024 * 1024);

        var file = string.Join('\n', lines);
        Assert.DoesNotContain("hunter2", file, StringComparison.Ordinal);
        Assert.DoesNotContain("part one", file, StringComparison.Ordinal);
        Assert.EndsWith("done", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_past_the_cap_keeps_its_start_and_end_and_says_what_was_cut_in_between()
    {
        const long cap = 256 * 1024;
        _logs.Write(Job.Id, Enumerable.Range(1, 20_000).Select(i => $"line {i} " + new string('x', 40)).ToArray());

        var (summary, lines) = await WriteAsync(cap);

        Assert.True(summary.Bytes <= cap, $"{summary.Bytes} bytes");
        Assert.True(summary.WasCut);
        var note = Assert.Single(lines, l => l.StartsWith("-----", StringComparison.Ordinal));
        var noteAt = lines.IndexOf(note);
        var lastBefore = NumberOf(lines[noteAt - 1]);
        var firstAfter = NumberOf(lines[noteAt + 1]);
        Assert.Equal(1, NumberOf(lines[0]));
        Assert.Equal(20_000, NumberOf(lines[^1]));
        Assert.Equal(firstAfter - lastBefore - 1, summary.CutLines);
        Assert.Contains($"{summary.CutLines:N0} lines cut here (lines {lastBefore + 1:N0}–{firstAfter - 1:N0})", note, StringComparison.Ordinal);
        Assert.Contains("this file stops at 256 KiB", note, StringComparison.Ordinal);
        Assert.Contains("job logs j-fullfile --grep", note, StringComparison.Ordinal);
        Assert.Equal(summary.Lines, lines.Count - 1);
        Assert.Equal(20_000, summary.Lines + summary.CutLines);
    }

    private async Task<(FullLogSummary Summary, List<string> Lines)> WriteAsync(long maxBytes)
    {
        using var file = new MemoryStream();
        var summary = await FullLogFile.WriteAsync(file, Job, _logs, _redaction, maxBytes, Ct);
        Assert.Equal(file.Length, summary.Bytes);
        var lines = Encoding.UTF8.GetString(file.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return (summary, lines);
    }

    private static int NumberOf(string line) => int.Parse(line.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
}
