using System.Globalization;
using System.Text.RegularExpressions;
using Specific.Sandbox.SlackStandIn;

namespace Specific.EndToEnd.Tests.Host;

/// <summary>
/// A finished job's thread read back as numbered output lines (<c>tick-N</c>): which lines each excerpt showed, what
/// the final reply's tail showed, and the state replies, so tests can prove nothing is lost, repeated or out of order.
/// </summary>
public sealed partial class ThreadStory
{
    private ThreadStory(IReadOnlyList<StandInMessage> replies)
    {
        Replies = replies;
        var final = replies.LastOrDefault(JobsSandbox.IsFinalReply);
        Final = final;
        var others = replies.Where(r => !ReferenceEquals(r, final) && r.Files.Count == 0).ToList();
        // A running reply may carry the job's first output under its state lines: it counts as both.
        Excerpts = others.Where(r => OutputStart(r.Text) >= 0).Select(r => (IReadOnlyList<int>)Ticks(r.VisibleText)).ToList();
        Tail = final is null ? [] : Ticks(final.VisibleText);
        StateReplies = others.Where(r => OutputStart(r.Text) != 0).Select(r => OutputStart(r.Text) is var at and > 0 ? r.Text[..at] : r.Text).ToList();
    }

    public IReadOnlyList<StandInMessage> Replies { get; }

    public StandInMessage? Final { get; }

    /// <summary>The tick numbers each log excerpt showed, in thread order.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Excerpts { get; }

    /// <summary>The tick numbers of the final reply's tail.</summary>
    public IReadOnlyList<int> Tail { get; }

    /// <summary>The replies that are neither excerpts nor the final one (queued, running, …).</summary>
    public IReadOnlyList<string> StateReplies { get; }

    public static ThreadStory Of(IReadOnlyList<StandInMessage> replies) => new(replies);

    /// <summary>Every line the excerpts showed, in thread order.</summary>
    public IReadOnlyList<int> ExcerptLines => Excerpts.SelectMany(e => e).ToList();

    /// <summary>
    /// Fails unless the excerpts showed each line at most once and in order, the final reply came last, and the
    /// excerpts together with the tail show exactly 1..<paramref name="lines"/>.
    /// </summary>
    public void AssertTellsEveryLineOnceInOrder(int lines, string context)
    {
        Assert.True(Final is not null, $"No final reply.\n{context}");
        Assert.True(Replies.SkipWhile(r => !ReferenceEquals(r, Final)).Skip(1).All(r => r.Files.Count > 0),
            $"Something other than the full log file came after the final reply.\n{context}");
        var shown = ExcerptLines;
        Assert.True(shown.Distinct().Count() == shown.Count, $"Excerpts repeat lines: {string.Join(",", shown)}\n{context}");
        Assert.True(shown.SequenceEqual(shown.Order()), $"Excerpts are out of order: {string.Join(",", shown)}\n{context}");
        var told = shown.Union(Tail).Order().ToList();
        Assert.True(told.SequenceEqual(Enumerable.Range(1, lines)),
            $"Lines missing or extra: excerpts {string.Join(",", shown)}; tail {string.Join(",", Tail)}; expected 1..{lines}\n{context}");
        Assert.True(Tail.SequenceEqual(Tail.Order()), $"The tail is out of order: {string.Join(",", Tail)}\n{context}");
        Assert.True(Tail.Count > 0 && Tail[^1] == lines, $"The tail does not end with the last line: {string.Join(",", Tail)}\n{context}");
        Assert.True(StateReplies.Distinct().Count() == StateReplies.Count, $"A state reply was posted twice: {string.Join(" | ", StateReplies)}\n{context}");
    }

    /// <summary>Where a reply's output excerpt starts in its text: 0 for an excerpt alone, -1 when it has none.</summary>
    private static int OutputStart(string text) =>
        text.StartsWith("Output", StringComparison.Ordinal) ? 0
        : text.IndexOf("\nOutput", StringComparison.Ordinal) is var at and >= 0 ? at
        : -1;

    /// <summary>The tick numbers in a text, in order.</summary>
    public static List<int> Ticks(string text) =>
        TickPattern().Matches(text).Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"\btick-(?<n>\d+)\b")]
    private static partial Regex TickPattern();
}
