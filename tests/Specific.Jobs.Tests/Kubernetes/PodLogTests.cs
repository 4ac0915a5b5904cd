using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Kubernetes;

public sealed class PodLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 9, 31, 48, TimeSpan.Zero);

    private static string Stamp(DateTimeOffset at, int extraNanos = 0) =>
        at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture) + extraNanos.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "Z";

    [Fact]
    public void Kubelet_timestamp_with_nanoseconds_is_split_from_the_text()
    {
        var line = TimestampedLine.Parse("2026-11-27T09:31:48.123456789Z hello  world ");

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 9, 31, 48, TimeSpan.Zero).AddTicks(1234567), line.Timestamp);
        Assert.Equal("hello  world ", line.Text);
    }

    [Fact]
    public void Empty_line_and_line_without_timestamp_are_kept()
    {
        Assert.Equal("", TimestampedLine.Parse("2026-11-27T09:31:48Z ").Text);
        Assert.Equal("", TimestampedLine.Parse("2026-11-27T09:31:48.5Z").Text);
        var plain = TimestampedLine.Parse("no timestamp here");
        Assert.Null(plain.Timestamp);
        Assert.Equal("no timestamp here", plain.Text);
    }

    [Fact]
    public void Lines_are_numbered_on_from_the_checkpoint()
    {
        var cursor = new LogCursor(new FollowCheckpoint(LastLogLine: 41));
        cursor.BeginPass();

        var first = cursor.Accept(new TimestampedLine(T0, "a"), T0);
        var second = cursor.Accept(new TimestampedLine(T0.AddSeconds(1), "b"), T0);

        Assert.Equal(42, first!.Number);
        Assert.Equal(43, second!.Number);
        Assert.Equal("b", second.Text);
    }

    [Fact]
    public void Reread_after_a_reconnect_skips_lines_already_seen_including_duplicates_sharing_a_timestamp()
    {
        var cursor = new LogCursor(new FollowCheckpoint());
        var log = new[]
        {
            new TimestampedLine(T0, "one"),
            new TimestampedLine(T0.AddSeconds(1), "two"),
            new TimestampedLine(T0.AddSeconds(1), "two again, same instant"),
            new TimestampedLine(T0.AddSeconds(1), "three, same instant"),
            new TimestampedLine(T0.AddSeconds(2), "four"),
        };

        cursor.BeginPass();
        var firstPass = log.Take(3).Select(l => cursor.Accept(l, T0)).ToList();
        // The stream dropped after line 3; the re-read starts before it and repeats lines 1..3.
        cursor.BeginPass();
        var secondPass = log.Select(l => cursor.Accept(l, T0)).Where(l => l is not null).ToList();

        Assert.Equal(["one", "two", "two again, same instant"], firstPass.Select(l => l!.Text));
        Assert.Equal(["three, same instant", "four"], secondPass.Select(l => l!.Text));
        Assert.Equal([4L, 5L], secondPass.Select(l => l!.Number));
    }

    [Fact]
    public void Resume_from_a_checkpoint_skips_exactly_the_lines_it_holds()
    {
        var cursor = new LogCursor(new FollowCheckpoint(LastLogLine: 7, LastLogTimestamp: T0) { LinesAtLastTimestamp = 2 });
        cursor.BeginPass();

        var accepted = new[]
        {
            new TimestampedLine(T0.AddSeconds(-1), "old"),
            new TimestampedLine(T0, "seen 1"),
            new TimestampedLine(T0, "seen 2"),
            new TimestampedLine(T0, "new at the same instant"),
            new TimestampedLine(T0.AddMilliseconds(1), "newer"),
        }.Select(l => cursor.Accept(l, T0)).Where(l => l is not null).ToList();

        Assert.Equal(["new at the same instant", "newer"], accepted.Select(l => l!.Text));
        Assert.Equal([8L, 9L], accepted.Select(l => l!.Number));
    }

    [Fact]
    public void Resume_from_a_store_that_kept_microseconds_skips_the_nanosecond_line_it_holds()
    {
        var sent = T0.AddTicks(1234567);
        var stored = new DateTimeOffset(sent.UtcTicks - (sent.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero); // as SQLite and PostgreSQL keep it
        var cursor = new LogCursor(new FollowCheckpoint(LastLogLine: 6, LastLogTimestamp: stored) { LinesAtLastTimestamp = 1 });
        cursor.BeginPass();

        var accepted = new[] { new TimestampedLine(sent, "tick-6"), new TimestampedLine(sent.AddMilliseconds(300), "tick-7") }
            .Select(l => cursor.Accept(l, T0)).Where(l => l is not null).ToList();

        Assert.Equal(["tick-7"], accepted.Select(l => l!.Text));
        Assert.Equal([7L], accepted.Select(l => l!.Number));
    }

    [Fact]
    public void Resume_asks_for_enough_seconds_to_reach_the_last_line_plus_an_overlap()
    {
        var cursor = new LogCursor(new FollowCheckpoint(LastLogLine: 3, LastLogTimestamp: T0) { LinesAtLastTimestamp = 1 });

        Assert.Equal(41, cursor.SinceSeconds(T0.AddSeconds(9.5), TimeSpan.FromSeconds(30)));
        Assert.Equal(31, cursor.SinceSeconds(T0.AddSeconds(-5), TimeSpan.FromSeconds(30)));
        Assert.Null(new LogCursor(new FollowCheckpoint()).SinceSeconds(T0, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Parsed_nanosecond_stamps_keep_their_order()
    {
        var a = TimestampedLine.Parse(Stamp(T0) + " a").Timestamp;
        var b = TimestampedLine.Parse(Stamp(T0.AddTicks(1)) + " b").Timestamp;

        Assert.True(a < b);
    }
}
