using Specific.JobsBot.Commands;

namespace Specific.JobsBot.Tests.Commands;

/// <summary>The grammar of <c>/specific task run|list</c>: a service and a task name, the run options anywhere, nothing else.</summary>
public sealed class TaskCommandParserTests
{
    [Theory]
    [InlineData("task run web cache-clear", "web", "cache-clear", null, null, null)]
    [InlineData("task run web report --env staging", "web", "report", "staging", null, null)]
    [InlineData("task run --env=staging --timeout 20m web report", "web", "report", "staging", "20m", null)]
    [InlineData("TASK RUN web report --name \"nightly run\" --timeout=1h", "web", "report", null, "1h", "nightly run")]
    public void Task_run_reads_the_service_the_task_and_the_options_anywhere(
        string text, string service, string task, string? environment, string? timeout, string? name)
    {
        Assert.Equal(new RunTaskCommand(service, task, environment, name, timeout), JobCommandParser.Parse(text));
    }

    [Theory]
    [InlineData("task list", null)]
    [InlineData("task list web", "web")]
    public void Task_list_takes_at_most_one_service(string text, string? service)
    {
        Assert.Equal(new ListTasksCommand(service), JobCommandParser.Parse(text));
    }

    [Theory]
    [InlineData("task", "`task` needs a subcommand: `run` (as in `task run web cache-clear`")]
    [InlineData("task start web x", "Unknown subcommand `task start`: use `task run` or `task list`.")]
    [InlineData("task run", "`task run` needs a service and a task, as in")]
    [InlineData("task run web", "`task run web` needs a task name, as in `task run web cache-clear`")]
    [InlineData("task run web report echo hi", "`task run` takes a service and a task name only, as in `task run web cache-clear` or `task run web report --env staging --timeout 20m`; a task's command is saved with it. To run a command of your own, use `job run web <command…>`.")]
    [InlineData("task run web report --force", "Unknown option `--force`.")]
    [InlineData("task run web report --env", "`--env` needs a value, as in `--env staging`.")]
    [InlineData("task run web report --env a --env b", "`--env` is given twice.")]
    [InlineData("task list web api", "`task list` takes at most one service, as in `task list web`.")]
    public void A_task_command_it_cannot_read_says_what_is_wrong(string text, string problem)
    {
        var invalid = Assert.IsType<InvalidCommand>(JobCommandParser.Parse(text));

        Assert.StartsWith(problem, invalid.Problem, StringComparison.Ordinal);
    }
}
