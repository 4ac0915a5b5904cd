using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>The time limit of a run: the default when none is given, the one asked for within range, a clear refusal otherwise.</summary>
public class RunJobValidatorTests
{
    private static readonly JobOrigin Origin = new(JobOrigin.Slack, "T1", "C1", "U1");

    private static readonly RunJobValidator Validator = new(new StubServiceCatalog(), new FixedOptions<EnvironmentsOptions>(new EnvironmentsOptions
    {
        Targets =
        {
            ["production"] = new EnvironmentTarget
            {
                Namespace = "production",
                Timeout = new TimeoutSettings { Default = TimeSpan.FromHours(1), Max = TimeSpan.FromHours(6) },
                Services = { ["worker"] = new ServiceSettings { Timeout = new TimeoutSettings { Max = TimeSpan.FromHours(12) } } },
            },
            ["staging"] = new EnvironmentTarget { Namespace = "staging" },
        },
    }), new SavedTaskCatalog(new FixedOptions<SavedTasksOptions>(Tasks())));

    private static SavedTasksOptions Tasks()
    {
        var options = new SavedTasksOptions();
        options.Services["web"] = new Dictionary<string, SavedTaskSettings>(StringComparer.Ordinal)
        {
            ["cache-clear"] = new() { Command = "echo cleared", Description = "Purge the page cache" },
            ["report"] = new() { Command = "echo report", Timeout = "00:05:00", Environments = ["production"] },
            ["backfill"] = new() { Command = "echo backfill", Timeout = "05:00:00" },
        };
        return options;
    }

    private static Task<RunJobValidation> ValidateAsync(string service, string environment, string? timeout) =>
        Validator.ValidateAsync(new RunJobDraft(service, environment, null, "sleep 60", timeout), Origin, null, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("web", "production", 3600)]
    [InlineData("web", "staging", 3600)]
    public async Task No_time_limit_given_gets_the_default_of_the_service_there(string service, string environment, int seconds)
    {
        var validation = await ValidateAsync(service, environment, null);

        Assert.Equal(TimeSpan.FromSeconds(seconds), validation.Request?.Timeout);
    }

    [Theory]
    [InlineData("web", "2s", 2)]
    [InlineData("web", "1h30m", 5400)]
    [InlineData("web", "6h", 6 * 3600)]
    [InlineData("worker", "12h", 12 * 3600)]
    public async Task A_time_limit_within_the_range_is_the_one_recorded(string service, string timeout, int seconds)
    {
        var validation = await ValidateAsync(service, "production", timeout);

        Assert.True(validation.IsValid, validation.Describe());
        Assert.Equal(TimeSpan.FromSeconds(seconds), validation.Request!.Timeout);
    }

    [Theory]
    [InlineData("web", "12h", "The time limit `12h` is too long. Jobs of `web` in `production` may run from `1s` to `6h` (6 hours): give a limit in that range, such as `30m`, or none for the default of `1h`.")]
    [InlineData("worker", "13h", "The time limit `13h` is too long. Jobs of `worker` in `production` may run from `1s` to `12h` (12 hours): give a limit in that range, such as `30m`, or none for the default of `1h`.")]
    [InlineData("web", "0s", "The time limit `0s` is too short. Jobs of `web` in `production` may run from `1s` to `6h` (6 hours)")]
    public async Task A_time_limit_out_of_range_is_refused_with_the_range_and_an_example(string service, string timeout, string expected)
    {
        var validation = await ValidateAsync(service, "production", timeout);

        Assert.Null(validation.Request);
        Assert.StartsWith(expected, validation.Problems[RunJobField.Timeout], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("90")]
    [InlineData("1d")]
    public async Task A_malformed_time_limit_is_refused_with_the_forms_the_range_and_an_example(string timeout)
    {
        var validation = await ValidateAsync("web", "production", timeout);

        var problem = validation.Problems[RunJobField.Timeout];
        Assert.Null(validation.Request);
        Assert.StartsWith($"The time limit `{timeout}` is not a duration: write it as `90s`, `30m`, `2h` or `1h30m`.", problem, StringComparison.Ordinal);
        Assert.EndsWith("Jobs of `web` in `production` may run from `1s` to `6h` (6 hours): give a limit in that range, such as `30m`, or none for the default of `1h`.", problem, StringComparison.Ordinal);
    }

    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private static Task<RunJobValidation> TaskAsync(string task, string environment = "production", string? timeout = null, string? command = null) =>
        Validator.ValidateAsync(new RunJobDraft("web", environment, null, command, timeout, task), Origin, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_saved_task_runs_its_own_command_and_the_request_names_it()
    {
        var validation = await TaskAsync("cache-clear", command: "rm -rf /");

        Assert.True(validation.IsValid, validation.Describe());
        Assert.Equal("echo cleared", validation.Request!.Command);
        Assert.Equal("cache-clear", validation.Request.Task);
        Assert.Equal(TimeSpan.FromHours(1), validation.Request.Timeout);
    }

    [Fact]
    public async Task A_tasks_own_time_limit_is_its_default_and_a_given_one_still_wins_within_the_maximum()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), (await TaskAsync("report")).Request?.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(20), (await TaskAsync("report", timeout: "20m")).Request?.Timeout);
        Assert.Contains("too long", (await TaskAsync("report", timeout: "7h")).Problems[RunJobField.Timeout], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tasks_limit_is_the_default_in_every_environment_it_is_offered_in()
    {
        // backfill is offered everywhere: its 5 hours are within production's 6 and staging's built-in 24.
        Assert.Equal(TimeSpan.FromHours(5), (await TaskAsync("backfill")).Request?.Timeout);
        Assert.Equal(TimeSpan.FromHours(5), (await TaskAsync("backfill", "staging")).Request?.Timeout);
    }

    [Fact]
    public async Task An_unknown_task_gets_the_closest_names_and_how_to_list_them()
    {
        var validation = await TaskAsync("cache-cleer");

        Assert.Equal(
            "`web` has no task `cache-cleer`. Did you mean `cache-clear`? `/specific task list web` lists them.",
            validation.Problems[RunJobField.Task]);
        Assert.False(validation.Problems.ContainsKey(RunJobField.Command));
    }

    [Fact]
    public async Task A_task_not_offered_in_the_environment_says_where_it_is()
    {
        var validation = await TaskAsync("report", "staging");

        Assert.Equal(
            "The task `report` of `web` is offered in `production`, not in `staging`. `/specific task list web` lists them.",
            validation.Problems[RunJobField.Task]);
    }

    [Fact]
    public async Task A_task_of_another_service_picked_in_the_form_says_which_service_it_belongs_to()
    {
        var validation = await Validator.ValidateAsync(
            new RunJobDraft("api", "production", null, null, null, "web/cache-clear"), Origin, null, TestContext.Current.CancellationToken);

        Assert.Equal(
            "The task `cache-clear` is one of `web`'s, and the service picked is `api`: pick `web` as the service, or another task.",
            validation.Problems[RunJobField.Task]);
    }
}
