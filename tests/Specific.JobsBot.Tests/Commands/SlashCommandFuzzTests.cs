using System.Diagnostics;
using System.Text;
using Specific.JobsBot.Commands;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>Random text through the real endpoint: never a 5xx, always an answer within Slack's 3 seconds.</summary>
public sealed class SlashCommandFuzzTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    private static readonly string[] Fragments =
    [
        "job", "run", "list", "logs", "cancel", "help", "web", "wbe", "--env", "--env=", "--name", "--", "-", "=", "staging",
        "\"", "'", "\u201C", "\u201D", "`", "```", "&amp;", "&lt;", "&gt;", "&", "<", ">", "|", "$GREETING", "$(", ")", "\\",
        "\n", "\r\n", "\t", " ", "  ", "\0", "\u200B", "\uFEFF", "🚀", "日本語", "é", "\uD800", "\uDFFF", "%", "+", "%2B", "j-", "<@U123>",
    ];

    private FrontDoorApp _bot = null!;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync();

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 4));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_text_never_gets_a_5xx_and_is_answered_within_the_deadline(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 60; i++)
        {
            var text = RandomText(random, i % 10 == 0 ? 10_240 : random.Next(0, 300));
            var prefix = random.Next(4) switch { 0 => "job run web ", 1 => "job run ", 2 => "job ", _ => "" };

            var watch = Stopwatch.StartNew();
            var response = await _bot.PostSignedAsync("/slack/commands", FormBody(prefix + text, random));
            watch.Stop();

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for seed {seed} case {i}: {Describe(prefix + text)}");
            Assert.True(watch.Elapsed < Deadline, $"answered after {watch.Elapsed} for seed {seed} case {i}");
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(body.Length < 40_000, $"a reply of {body.Length} characters");
        }
    }

    [Fact]
    public async Task Ten_kilobytes_of_command_is_refused_with_the_limit_and_no_job()
    {
        var command = string.Concat(Enumerable.Repeat("echo 'ünï' | cat; ", 600));

        var response = await _bot.SlashCommandAsync("job run web " + command);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"the limit is {JobCommandParser.MaxCommandLength:N0}", text, StringComparison.Ordinal);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Empty(_bot.Jobs.All);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_interaction_payloads_never_get_a_5xx(int seed)
    {
        var random = new Random(seed);
        string[] shapes =
        [
            "{0}", "{{\"type\":\"{0}\"}}", "{{\"type\":\"view_submission\",\"view\":{{\"id\":\"{0}\",\"callback_id\":\"job_run_modal\",\"private_metadata\":\"{0}\"}}}}",
            "{{\"type\":\"block_actions\",\"user\":{{\"id\":\"U1\"}},\"actions\":[{{\"action_id\":\"job_cancel\",\"value\":\"{0}\"}}]}}",
            "{{\"type\":\"view_submission\",\"user\":{{\"id\":\"U1\"}},\"view\":{{\"id\":\"V\",\"callback_id\":\"job_run_modal\",\"private_metadata\":\"{{\\\"channel_id\\\":\\\"C\\\",\\\"environment\\\":\\\"production\\\"}}\",\"state\":{{\"values\":{{\"job_command\":{{\"job_modal_command\":{{\"value\":\"{0}\"}}}}}}}}}}}}",
        ];
        for (var i = 0; i < 40; i++)
        {
            var noise = RandomText(random, random.Next(0, i % 8 == 0 ? 10_240 : 200)).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            var json = string.Format(System.Globalization.CultureInfo.InvariantCulture, shapes[random.Next(shapes.Length)], noise);

            var watch = Stopwatch.StartNew();
            var response = await _bot.PostSignedAsync("/slack/interactions", "payload=" + PercentEncode(json, random));

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for seed {seed} case {i}: {Describe(json)}");
            Assert.True(watch.Elapsed < Deadline, $"answered after {watch.Elapsed}");
        }
    }

    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(random.Next(3) switch
            {
                0 => Fragments[random.Next(Fragments.Length)],
                1 => char.ConvertFromUtf32(random.Next(2) == 0 ? random.Next(0x20, 0x7F) : RandomScalar(random)),
                _ => new string((char)random.Next(0, 0x10000), 1),
            });
        }

        return text.ToString();
    }

    private static int RandomScalar(Random random)
    {
        while (true)
        {
            var value = random.Next(0, 0x110000);
            if (value is < 0xD800 or > 0xDFFF)
            {
                return value;
            }
        }
    }

    /// <summary>A slash command form around the text; sometimes with raw invalid UTF-8 bytes percent-encoded in.</summary>
    private static string FormBody(string text, Random random) =>
        $"team_id=T0&channel_id=C0&user_id=U0&command=%2Fspecific&trigger_id=1.2.{random.Next()}&text={PercentEncode(text, random)}";

    private static string PercentEncode(string text, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        if (random.Next(5) == 0)
        {
            bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(0x80, 0x100));
        }

        var encoded = new StringBuilder();
        foreach (var b in bytes)
        {
            encoded.Append(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                ? ((char)b).ToString()
                : $"%{b:X2}");
        }

        return encoded.ToString();
    }

    private static string Describe(string text) => text.Length <= 200 ? text : text[..200] + $"… ({text.Length} chars)";
}
