using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Testing;
using Specific.JobsBot.Guardrails;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>
/// Saved tasks as an operator declares them: refused at start-up by entry when they cannot be honoured, and the
/// SavedTasksOnly rule of the run guard, which lets only a saved task's own command run where it is set.
/// </summary>
public sealed class SavedTasksTests
{
    private const string Production = "Guardrails:Environments:production";

    private static readonly Dictionary<string, string?> WebTasks = new()
    {
        ["Tasks:web:cache-clear:Command"] = "echo cleared",
        ["Tasks:web:cache-clear:Description"] = "Purge the page cache",
        ["Tasks:web:report:Command"] = "echo report",
        ["Tasks:web:report:Timeout"] = "00:05:00",
        ["Tasks:web:report:Environments:0"] = "production",
        ["Tasks:web:warm:Command"] = "echo warm",
        ["Tasks:web:warm:Environments:0"] = "staging",
        [$"{Production}:Run:Users:0"] = "*",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Tasks:web:report:Description", "no command", "Tasks:web:report:Command is not set: set it to what the task runs under sh -c")]
    [InlineData("Tasks:web:Cache_Clear:Command", "echo", "Tasks:web:Cache_Clear: 'Cache_Clear' is not a task name; use a slug of lowercase letters, digits and '-'")]
    [InlineData("Tasks:Web_1:report:Command", "echo", "Tasks:Web_1: 'Web_1' is not a service name")]
    [InlineData("Tasks:web:report:Timeout", "ten minutes", "Tasks:web:report:Timeout is 'ten minutes', not a duration: write it as hh:mm:ss, as in '00:10:00'")]
    [InlineData("Tasks:web:report:Timeout", "00:00:00", "Tasks:web:report:Timeout is 00:00:00; a job's time limit is at least one second.")]
    [InlineData("Tasks:web:report:Timeout", "30.00:00:00", "Tasks:web:report:Timeout is 30.00:00:00, above the 1.00:00:00 that jobs of web may run in production: lower it, raise Environments:Targets:production:Timeout:Max")]
    [InlineData("Tasks:web:report:Environments:0", "prod", "Tasks:web:report:Environments:0 is 'prod', not a configured environment; Environments:Targets has production, qa, staging.")]
    [InlineData("Tasks:web:report:Enviroments:0", "production", "Tasks:web:report:Enviroments is not a task setting; a task has Command, Description, Timeout, Environments.")]
    [InlineData("Tasks:web:report:Environments", "production", "Tasks:web:report:Environments is 'production', a single value; list the environments as Tasks:web:report:Environments:0")]
    [InlineData($"{Production}:SavedTaskOnly", "true", $"{Production}:SavedTaskOnly is not a guardrails setting")]
    public void Invalid_task_is_refused_at_start_up_by_its_entry(string key, string value, string expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?> { [key] = value, ["Tasks:web:ok:Command"] = "true" });

        var refused = Assert.Throws<OptionsValidationException>(() => key.StartsWith("Tasks", StringComparison.Ordinal) ? (object)host.Tasks : host.Options);

        Assert.Contains(refused.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_tasks_are_read_with_their_description_limit_and_environments()
    {
        using var host = new PolicyHost(WebTasks);

        var tasks = host.TaskCatalog.List("web");

        Assert.Equal(["cache-clear", "report", "warm"], tasks.Select(t => t.Name));
        Assert.Equal(("echo report", TimeSpan.FromMinutes(5), "`production`"), (tasks[1].Command, tasks[1].Timeout, tasks[1].Where));
        Assert.Equal("every environment", tasks[0].Where);
        Assert.Equal(["cache-clear", "report"], host.TaskCatalog.OfferedIn("web", "production").Select(t => t.Name));
        Assert.Equal("Purge the page cache", tasks[0].Description);
    }

    [Fact]
    public async Task Where_only_saved_tasks_run_a_free_command_is_refused_with_the_tasks_offered_and_how_to_run_one()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>(WebTasks) { [$"{Production}:Services:web:SavedTasksOnly"] = "true" });

        var verdict = await GuardOf(host).CheckAsync(Request("rm -rf /tmp/cache"), Someone, Ct);

        Assert.False(verdict.Allowed);
        Assert.Equal($"{Production}:Services:web:SavedTasksOnly", verdict.Rule);
        Assert.Equal(
            ":no_entry: `web` in `production` runs saved tasks only, and a free command is refused. Its tasks there:\n" +
            "• `cache-clear`: Purge the page cache\n" +
            "• `report`\n" +
            "Run one with `/specific task run web cache-clear --env production`; `/specific task list web` shows their commands.\n" +
            $"Rule: `{Production}:Services:web:SavedTasksOnly`.",
            verdict.Refusal("web", "production"));
    }

    [Fact]
    public async Task Where_only_saved_tasks_run_the_saved_command_of_a_task_offered_there_is_allowed()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>(WebTasks) { [$"{Production}:SavedTasksOnly"] = "true" });

        var verdict = await GuardOf(host).CheckAsync(Request("echo cleared", "cache-clear"), Someone, Ct);

        Assert.True(verdict.Allowed);
        Assert.Null(verdict.NotASavedTask);
    }

    [Theory]
    [InlineData("echo cleared; curl evil", "cache-clear", "this is not `cache-clear`'s command as saved now")]
    [InlineData("echo warm", "warm", "`warm` is not one of them")]
    [InlineData("echo gone", "gone", "`gone` is not one of them")]
    public async Task Where_only_saved_tasks_run_a_task_whose_command_or_place_does_not_match_is_refused(string command, string task, string expected)
    {
        using var host = new PolicyHost(new Dictionary<string, string?>(WebTasks) { [$"{Production}:SavedTasksOnly"] = "true" });

        var verdict = await GuardOf(host).CheckAsync(Request(command, task), Someone, Ct);

        Assert.False(verdict.Allowed);
        Assert.Contains(expected, verdict.Refusal("web", "production"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_may_opt_out_of_its_environments_rule_and_other_environments_are_not_affected()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>(WebTasks)
        {
            [$"{Production}:SavedTasksOnly"] = "true",
            [$"{Production}:Services:web:SavedTasksOnly"] = "false",
        });

        Assert.True((await GuardOf(host).CheckAsync(Request("echo free"), Someone, Ct)).Allowed);
        Assert.False((await GuardOf(host).CheckAsync(Request("echo free") with { Service = "api" }, Someone, Ct)).Allowed);
        Assert.True((await GuardOf(host).CheckAsync(Request("echo free") with { Environment = "staging" }, Someone, Ct)).Allowed);
    }

    [Fact]
    public async Task With_no_task_offered_the_refusal_says_how_to_get_one()
    {
        using var host = new PolicyHost(new Dictionary<string, string?>(WebTasks) { [$"{Production}:SavedTasksOnly"] = "true" });

        var verdict = await GuardOf(host).CheckAsync(Request("echo free") with { Service = "api" }, Someone, Ct);

        Assert.StartsWith(
            ":no_entry: `api` in `production` runs saved tasks only, and a free command is refused; no task of `api` is offered there yet. " +
            "Ask an admin to add one under `Tasks:api:<task>`.",
            verdict.Refusal("api", "production"), StringComparison.Ordinal);
    }

    private static readonly Actor Someone = new("U0ALICE", "C0OPS", "T0TEAM");

    private static JobRequest Request(string command, string? task = null) =>
        new("web", "production", command, null, new JobOrigin(JobOrigin.Slack, "T0TEAM", "C0OPS", "U0ALICE")) { Task = task };

    private static RunGuard GuardOf(PolicyHost host) => new(host.Policy, new InMemoryJobStore(), host.TaskCatalog);
}
