using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.Jobs.Tests.Domain;

/// <summary>Time limits as configuration sets them: bound from the documented keys, resolved service over environment over built-in.</summary>
public sealed class JobTimeoutSettingsTests
{
    private static EnvironmentsOptions Bind(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Environments:Targets:production:Namespace", "production");
        settings.TryAdd("Environments:Targets:staging:Namespace", "staging");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddEnvironments(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EnvironmentsOptions>>().Value;
    }

    [Fact]
    public void A_service_overrides_its_environment_which_overrides_the_built_in_limits()
    {
        var options = Bind(new()
        {
            ["Environments:Targets:production:Timeout:Default"] = "01:00:00",
            ["Environments:Targets:production:Timeout:Max"] = "06:00:00",
            ["Environments:Targets:production:Services:reports:Timeout:Max"] = "12:00:00",
            ["Environments:Targets:staging:Timeout:Default"] = "00:10:00",
        });

        Assert.Equal(new TimeoutRange(TimeSpan.FromHours(1), TimeSpan.FromHours(6)), options.TimeoutFor("production", "web"));
        Assert.Equal(new TimeoutRange(TimeSpan.FromHours(1), TimeSpan.FromHours(12)), options.TimeoutFor("production", "reports"));
        Assert.Equal(new TimeoutRange(TimeSpan.FromMinutes(10), TimeSpan.FromHours(24)), options.TimeoutFor("staging", "web"));
    }

    [Fact]
    public void Nothing_configured_anywhere_still_limits_every_job_to_an_hour_and_at_most_a_day()
    {
        var options = Bind([]);

        Assert.Equal(TimeoutRange.BuiltIn, options.TimeoutFor("production", "web"));
        Assert.Equal(new TimeoutRange(TimeSpan.FromHours(1), TimeSpan.FromHours(24)), TimeoutRange.BuiltIn);
    }

    [Fact]
    public void A_service_maximum_below_the_default_it_inherits_is_refused_at_start_naming_the_key()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new()
        {
            ["Environments:Targets:production:Services:web:Timeout:Max"] = "00:05:00",
        }));

        var message = Assert.Single(failure.Failures);
        Assert.Contains("Environments__Targets__production__Services__web__Timeout__Default", message, StringComparison.Ordinal);
        Assert.Contains("lower the default or raise the maximum", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_under_a_second_is_refused_at_start()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new()
        {
            ["Environments:Targets:staging:Timeout:Default"] = "00:00:00",
        }));

        Assert.Contains(failure.Failures, f => f.StartsWith("Environments__Targets__staging__Timeout__Default is 00:00:00", StringComparison.Ordinal));
    }
}
