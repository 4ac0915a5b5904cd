using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Specific.JobsBot.Hosting;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>A missing or invalid setting stops the start with a message that names the environment variable to set.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class StartupValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_bot_role_without_a_signing_secret_does_not_start_and_names_Slack__SigningSecret()
    {
        var message = StartupMessage(new Dictionary<string, string?> { ["Slack:BotToken"] = "xoxb-test", ["Bot:Engine"] = "InProcess" });

        Assert.Contains("Slack__SigningSecret is not set", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Slack__BotToken", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_missing_or_invalid_setting_of_the_Temporal_bot_role_is_named_at_once()
    {
        var message = StartupMessage(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Temporal:Address"] = "",
            ["Environments:Targets:staging:Namespace"] = "Not A Namespace",
            ["Bot:ManagementUrl"] = "http://127.0.0.1:3000",
        });

        foreach (var variable in new[]
        {
            "Slack__SigningSecret", "Slack__BotToken", "Storage__ConnectionString", "Temporal__Address",
            "Environments__Targets__staging__Namespace", "Bot__ManagementUrl",
        })
        {
            Assert.Contains(variable, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_value_that_does_not_convert_is_named_as_its_environment_variable()
    {
        var message = StartupMessage(new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = "secret",
            ["Slack:BotToken"] = "xoxb-test",
            ["Bot:Engine"] = "InProcess",
            ["Threads:LeaseDuration"] = "a minute",
        });

        Assert.Contains("Threads__LeaseDuration has a value that cannot be read", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_requester_DM_threshold_does_not_start_and_names_Threads__RequesterDmAfter()
    {
        var message = StartupMessage(new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = "secret",
            ["Slack:BotToken"] = "xoxb-test",
            ["Bot:Engine"] = "InProcess",
            ["Threads:RequesterDmAfter"] = "-00:01:00",
        });

        Assert.Contains("Threads__RequesterDmAfter must not be negative", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_that_is_not_about_configuration_is_left_alone()
    {
        Assert.Null(StartupProblem.Describe(new InvalidOperationException("boom")));
        Assert.Null(StartupProblem.Describe(new HttpRequestException("no route")));
    }

    [Fact]
    public async Task The_real_process_exits_with_code_1_and_prints_which_variable_to_set_without_a_stack_trace()
    {
        var exit = await BotProcessRun.RunToExitAsync(
            new Dictionary<string, string>
            {
                ["Bot__Engine"] = "InProcess",
                ["Slack__BotToken"] = "xoxb-test",
                ["Storage__SqlitePath"] = Path.Combine(Path.GetTempPath(), "jobsbot-startup-" + Guid.NewGuid().ToString("N"), "jobs.db"),
            },
            removed: ["Slack__SigningSecret", "SLACK__SIGNINGSECRET"],
            Ct);

        Assert.Equal(1, exit.ExitCode);
        Assert.Contains("Slack__SigningSecret is not set", exit.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", exit.Printed, StringComparison.Ordinal);
    }

    /// <summary>Starts the bot role with only these settings and returns what it printed to standard error.</summary>
    private static string StartupMessage(IReadOnlyDictionary<string, string?> settings)
    {
        using var app = new UnconfiguredBot(settings);
        return StartupFailure.MessageOf(() => app.CreateClient());
    }

    /// <summary>The bot role with only the given settings (plus a scratch SQLite file), as an operator might start it.</summary>
    private sealed class UnconfiguredBot(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        private readonly string _scratch = Directory.CreateTempSubdirectory("unconfigured-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:SqlitePath", Path.Combine(_scratch, "jobs.db"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Directory.Exists(_scratch))
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }
    }
}

/// <summary>
/// What a bot that refuses to start says: the entry point prints the problem to standard error and returns 1 instead
/// of building a host, so the test host finds no server. Use from tests in <see cref="ConsoleCollection"/> only.
/// </summary>
internal static class StartupFailure
{
    public static string MessageOf(Action start) =>
        MessageOfAsync(() =>
        {
            start();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    public static async Task<string> MessageOfAsync(Func<Task> start)
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            await Assert.ThrowsAnyAsync<InvalidOperationException>(start);
        }
        finally
        {
            Console.SetError(original);
        }

        var message = error.ToString();
        Assert.StartsWith("The bot cannot start", message, StringComparison.Ordinal);
        return message;
    }
}

/// <summary>Tests that swap Console.Error run alone, so no other test writes into (or misses) their capture.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
