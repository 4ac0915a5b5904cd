using System.Net;
using Microsoft.Extensions.Time.Testing;
using Specific.JobsBot.Tests.Commands.Host;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>
/// The private replies of saved tasks, pinned as golden JSON in Commands/Golden: <c>task list</c>, a task run, an unknown
/// task, and a free command where only saved tasks run. Production is open to all, unconfirmed; web runs tasks only there.
/// </summary>
public sealed class TaskReplyGoldenTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new(FrontDoorApp.OpenPolicy)
    {
        ["Tasks:web:cache-clear:Command"] = "./bin/rake cache:clear",
        ["Tasks:web:cache-clear:Description"] = "Purge the page cache",
        ["Tasks:web:report:Command"] = "./bin/report --daily --token xoxb-1234567890-abcdefghij",
        ["Tasks:web:report:Description"] = "Yesterday's numbers, by region",
        ["Tasks:web:report:Timeout"] = "00:05:00",
        ["Tasks:web:report:Environments:0"] = "production",
        ["Tasks:worker:drain:Command"] = "./bin/drain\n./bin/stop",
        ["Guardrails:Environments:production:Services:web:SavedTasksOnly"] = "true",
    };

    // Frozen at the real time, so the request signatures (made with the real time) stay within Slack's 5 minutes.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private FrontDoorApp _bot = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bot = await FrontDoorApp.StartAsync(clock: _clock, settings: Settings);

    public async ValueTask DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Task_list_shows_each_tasks_description_command_limit_and_where_it_is_offered() =>
        GoldenFile.Verify("reply_task_list", await ReplyToAsync("task list"));

    [Fact]
    public async Task Task_list_of_one_service_says_where_only_saved_tasks_run() =>
        GoldenFile.Verify("reply_task_list_web", await ReplyToAsync("task list web"));

    [Fact]
    public async Task Task_list_of_a_service_without_tasks_suggests_the_closest() =>
        GoldenFile.Verify("reply_task_list_unknown_service", await ReplyToAsync("task list wbe"));

    [Fact]
    public async Task Task_run_starts_the_saved_command_and_names_the_task()
    {
        GoldenFile.Verify("reply_task_run", await ReplyToAsync("task run web cache-clear"));

        await FrontDoorApp.EventuallyAsync(() => _bot.Jobs.All.Count == 1, "the task's job to be recorded");
        var job = Assert.Single(_bot.Jobs.All);
        Assert.Equal(("cache-clear", "./bin/rake cache:clear"), (job.Task, job.Command));
    }

    [Fact]
    public async Task Unknown_task_gets_the_closest_names_and_how_to_list_them()
    {
        GoldenFile.Verify("reply_task_run_unknown_task", await ReplyToAsync("task run web cache-cleer"));
        Assert.Empty(_bot.Jobs.All);
    }

    [Fact]
    public async Task Free_command_where_only_saved_tasks_run_is_refused_with_the_tasks_and_is_audited()
    {
        GoldenFile.Verify("reply_free_command_saved_tasks_only", await ReplyToAsync("job run web echo hi"));

        Assert.Empty(_bot.Jobs.All);
        await FrontDoorApp.EventuallyAsync(() => _bot.Audit.All.Count == 1, "the refusal to reach the audit trail");
        Assert.Equal("Guardrails:Environments:production:Services:web:SavedTasksOnly", Assert.Single(_bot.Audit.All).Rule);
    }

    private async Task<SlackMessage> ReplyToAsync(string text)
    {
        var response = await _bot.SlashCommandAsync(text, "U0ALICE");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var wire = await response.Content.ReadAsStringAsync(Ct);
        var reply = SlackJson.Deserialize<SlackMessage>(wire);
        Assert.Equal(ResponseType.Ephemeral, reply.ResponseType);
        Assert.Equal(wire, SlackJson.Serialize(reply));
        return reply;
    }
}
