using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Commands.Host;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>The time limit of a run: the default when none is given, the one asked for within range, a clear refusal otherwise.</summary>
public class RunJobValidatorTests
{
    private static readonly JobOrigin Origin = new(JobOrigin.Slack, "T1", "C1", "U1");

    private static readonly RunJobValidator Validator = new(new StubServiceCatalog(), new FixedOptions(new EnvironmentsOptions
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
    }));

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

    private sealed class FixedOptions(EnvironmentsOptions value) : IOptionsMonitor<EnvironmentsOptions>
    {
        public EnvironmentsOptions CurrentValue => value;

        public EnvironmentsOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EnvironmentsOptions, string?> listener) => null;
    }
}
