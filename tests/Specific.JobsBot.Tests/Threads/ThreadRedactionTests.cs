using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.JobsBot.Interactions;
using Specific.Slack.WebApi;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// Nothing secret reaches Slack through the thread keeper or the Full log button: the job message, excerpts, the
/// final reply and the uploaded file, read back from the Slack stand-in.
/// </summary>
public sealed class ThreadRedactionTests
{
    private const string ApiKey = "pk_live_51HxQ2sandboxSECRET";
    private const string Password = "correct-horse-battery-staple";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Everything a person can read in the channel: messages, replies and uploaded files.</summary>
    private static string EverythingPosted(ThreadKeeperHarness world)
    {
        var all = new StringBuilder();
        foreach (var message in world.Messages())
        {
            all.AppendLine(message.VisibleText);
            foreach (var reply in world.Replies(message.Ts))
            {
                all.AppendLine(reply.VisibleText);
            }
        }
        foreach (var file in world.Slack.Files)
        {
            all.AppendLine(file.Title).AppendLine(Encoding.UTF8.GetString(file.Content.Span));
        }
        return all.ToString();
    }

    [Fact]
    public async Task Secret_values_and_token_shapes_never_reach_the_message_the_thread_or_the_uploaded_file()
    {
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => o.MaxLinesPerExcerpt = 50);
        world.Redaction.Use([ApiKey, Password]);
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync($"curl -H 'Authorization: Bearer {ApiKey}' https://api.example.com");
        // The keeper finds a job by its changes or by sweeping unfinished ones: let it see this one before it ends.
        await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.AddDetailsAsync(job.Id, new JobDetails("specific-job-x", "production", "web:1", [$"note echoing {Password}"]), Ct);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);

        world.Logs.Write(job.Id, Enumerable.Range(1, 400).Select(n => n switch
        {
            // Straddles the 1000-character line cut of an excerpt.
            7 => new string('.', 990) + ApiKey + " end",
            100 => $"DATABASE_URL=postgres://web:{Password}@db:5432/web",
            200 => $"encoded {Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey + "\n"))}",
            300 => "slack xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
            _ => $"row {n} {ApiKey}",
        }));
        await world.Jobs.MoveAsync(job.Id, JobState.Failed, exitCode: 1, reason: $"The command exited with code 1: auth failed for {Password}");
        await world.WaitForFinalAsync(job.Id);

        var posted = EverythingPosted(world);
        Assert.DoesNotContain(ApiKey[..12], posted, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey[^12..], posted, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, posted, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxb-1234567890", posted, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey + "\n"))[..16], posted, StringComparison.Ordinal);

        var message = Assert.Single(world.Messages());
        Assert.Contains("Authorization: Bearer [redacted]", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("auth failed for [redacted]", message.VisibleText, StringComparison.Ordinal);
        Assert.Contains("note echoing [redacted]", message.VisibleText, StringComparison.Ordinal);

        var file = Assert.Single(world.Slack.Files);
        var content = Encoding.UTF8.GetString(file.Content.Span);
        Assert.Equal(400, content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Matches(@"^\S+Z row 1 \[redacted\]\n", content);
        Assert.Contains("postgres://web:[redacted]@db:5432/web\n", content, StringComparison.Ordinal);
        Assert.Contains("row 400 [redacted]", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_line_value_split_across_two_excerpts_is_redacted_in_both()
    {
        const string firstHalf = "-----line-one-of-the-secret";
        const string secondHalf = "line-two-of-the-secret-----";
        await using var world = await ThreadKeeperHarness.StartAsync();
        world.Redaction.Use([$"{firstHalf}\n{secondHalf}"]);
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync("cat /etc/secret");
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);

        world.Logs.Write(job.Id, "start", firstHalf);
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 2);
        world.Logs.Write(job.Id, secondHalf, "done");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 4);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var posted = EverythingPosted(world);
        Assert.DoesNotContain("line-one-of-the-secret", posted, StringComparison.Ordinal);
        Assert.DoesNotContain("line-two-of-the-secret", posted, StringComparison.Ordinal);
        var replies = world.Replies(Assert.Single(world.Messages()).Ts).Select(r => r.VisibleText).ToList();
        Assert.Contains(replies, r => r.Contains("start\n[redacted]", StringComparison.Ordinal));
        Assert.Contains(replies, r => r.Contains("[redacted]\ndone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_private_key_printed_across_three_excerpts_is_hidden_in_each()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync("cat key.pem");
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);

        world.Logs.Write(job.Id, "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn1");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 2);
        world.Logs.Write(job.Id, "aFDrBz9vFqU4yPIK6uX7Ohbpqk8Wz7Tg2", "Ab3xfn1aFDrBz9vFqU4yPIK6uX7Ohbpq3");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 4);
        world.Logs.Write(job.Id, "k8Wz7Tg0bVvWmQvE4", "-----END RSA PRIVATE KEY-----", "key printed");
        await world.WaitForThreadAsync(job.Id, t => t.PostedLogLine == 7);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var posted = EverythingPosted(world);
        foreach (var fragment in new[] { "MIIEowIBAAKCAQEA", "aFDrBz9vFqU4yPIK", "Ab3xfn1aFDrBz9vF", "k8Wz7Tg0bVvWmQvE", "BEGIN RSA", "END RSA" })
        {
            Assert.DoesNotContain(fragment, posted, StringComparison.Ordinal);
        }
        Assert.Contains("key printed", posted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_Secrets_could_not_be_read_the_message_the_final_reply_and_the_file_say_so()
    {
        const string warning = "Secret values could not be read, so they may show here; only token shapes are redacted: the bot may not get secrets in `production`.";
        await using var world = await ThreadKeeperHarness.StartAsync(configure: o => { o.FinalTailLines = 5; o.MaxLinesPerExcerpt = 5; });
        world.Redaction.Use([], warning);
        await world.StartKeeperAsync("keeper-a");
        var job = await world.CreateSlackJobAsync("env");
        await world.WaitForThreadAsync(job.Id, t => t.MessageTs is not null);
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        world.Logs.Write(job.Id, Enumerable.Range(1, 100).Select(n => $"line {n} xoxp-12345-67890-abcdefABCDEF"));
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        await world.WaitForFinalAsync(job.Id);

        var message = Assert.Single(world.Messages());
        Assert.Contains("Secret values could not be read", message.VisibleText, StringComparison.Ordinal);
        var final = world.Replies(message.Ts).Last(r => r.VisibleText.Contains("Succeeded", StringComparison.Ordinal));
        Assert.Contains("only token shapes are redacted", final.VisibleText, StringComparison.Ordinal);
        var content = Encoding.UTF8.GetString(Assert.Single(world.Slack.Files).Content.Span);
        Assert.StartsWith("[Secret values could not be read", content, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxp-12345", EverythingPosted(world), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Full_log_button_uploads_a_redacted_file()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        world.Redaction.Use([ApiKey]);
        var job = await world.CreateSlackJobAsync();
        // A value that would straddle a streaming chunk boundary if it were cut by size rather than found whole.
        var lines = Enumerable.Range(1, 3000).Select(n => $"{n:D5} {new string('x', n % 40)}{ApiKey}{new string('y', n % 13)}").ToList();
        world.Logs.Write(job.Id, lines);
        var posted = await world.PostAsBotAsync(new Specific.Slack.BlockKit.SlackMessage("job message"));

        await UploadFullLogAsync(world, job.Id, posted.Ts);

        var content = Encoding.UTF8.GetString(Assert.Single(world.Slack.Files).Content.Span);
        var uploaded = content.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3000, uploaded.Length);
        Assert.DoesNotContain(ApiKey[..10], content, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey[^10..], content, StringComparison.Ordinal);
        Assert.All(uploaded, line => Assert.Contains("[redacted]", line, StringComparison.Ordinal));
        Assert.EndsWith($"03000 {new string('x', 3000 % 40)}[redacted]{new string('y', 3000 % 13)}", uploaded[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Full_log_of_a_job_past_the_log_retention_says_its_lines_were_deleted_not_that_it_printed_nothing()
    {
        await using var world = await ThreadKeeperHarness.StartAsync();
        var job = await world.CreateSlackJobAsync();
        await world.Jobs.MoveAsync(job.Id, JobState.Queued);
        await world.Jobs.MoveAsync(job.Id, JobState.Running);
        await world.Jobs.MoveAsync(job.Id, JobState.Succeeded, exitCode: 0);
        var posted = await world.PostAsBotAsync(new Specific.Slack.BlockKit.SlackMessage("job message"));
        // The uploader's clock is 45 days past the job's end; the log store holds none of its lines (pruned).
        var later = new FakeTimeProvider(world.Time.GetUtcNow().AddDays(45));

        await UploadFullLogAsync(world, job.Id, posted.Ts, later);

        var told = Assert.Single(world.Slack.Ephemerals(ThreadKeeperHarness.User));
        Assert.Contains("Its output is no longer stored: log lines are kept 30 days after a job ends, and this one ended 45 days ago.", told.Text, StringComparison.Ordinal);
        Assert.Empty(world.Slack.Files);
    }

    /// <summary>Presses Full log in the job's thread, as the person who started it, on the uploader's own clock.</summary>
    private static async Task UploadFullLogAsync(ThreadKeeperHarness world, string jobId, string threadTs, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = "xoxb-thread-keeper-test",
            ["Slack:ApiBaseUrl"] = world.Slack.ApiBaseUrl.ToString(),
        }).Build();
        await using var services = new ServiceCollection().AddSlackWebClient(configuration).BuildServiceProvider();
        var uploader = new FullLogUploader(
            world.Jobs, world.Threads, world.Logs, world.Redaction, Microsoft.Extensions.Options.Options.Create(new Specific.Jobs.Logs.LogsOptions { RetentionDays = 30 }),
            services.GetRequiredService<SlackWebClient>(), NullLogger<FullLogUploader>.Instance, time: time);
        await uploader.UploadAsync(jobId, ThreadKeeperHarness.Channel, threadTs, new ReplyTarget(null, ThreadKeeperHarness.Channel, ThreadKeeperHarness.User), Ct);
    }
}
