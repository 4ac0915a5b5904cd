using Specific.JobsBot.Commands;

namespace Specific.JobsBot.Tests.Commands;

public class TimeoutTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 30 * 60)]
    [InlineData("2h", 2 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h0m5s", 3605)]
    [InlineData(" 10M ", 600)]
    [InlineData("0s", 0)]
    public void Hours_minutes_and_seconds_read_as_a_duration(string text, int seconds)
    {
        Assert.True(TimeoutText.TryParse(text, out var limit));
        Assert.Equal(TimeSpan.FromSeconds(seconds), limit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("90")]
    [InlineData("1.5h")]
    [InlineData("30m1h")]
    [InlineData("-5m")]
    [InlineData("1h 30m")]
    [InlineData("5 minutes")]
    [InlineData("1d")]
    [InlineData("99999999999h")]
    [InlineData(null)]
    public void Anything_else_is_not_a_duration(string? text) =>
        Assert.False(TimeoutText.TryParse(text, out _));

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(600, "10m")]
    [InlineData(5400, "1h30m")]
    [InlineData(86400, "24h")]
    [InlineData(3605, "1h5s")]
    public void A_limit_is_written_as_it_would_be_typed_and_reads_back_the_same(int seconds, string text)
    {
        var limit = TimeSpan.FromSeconds(seconds);

        Assert.Equal(text, TimeoutText.Format(limit));
        Assert.True(TimeoutText.TryParse(TimeoutText.Format(limit), out var back));
        Assert.Equal(limit, back);
    }
}
