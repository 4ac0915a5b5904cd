using Specific.JobsBot.Hosting;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// The image carries the bot without the sandbox: the Dockerfile's build stage, run here, publishes no stand-in, no
/// cluster simulator and none of the packages only they need, and that build answers <c>--sandbox</c> in one line.
/// </summary>
public sealed class ProductionImageTests(ImageBuildStage image) : IClassFixture<ImageBuildStage>
{
    private const string Bot = "Specific.JobsBot.dll";
    private const string SandboxExamplePolicy = "appsettings.Sandbox.json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_published_image_holds_the_bot_but_no_stand_in_simulator_or_gRPC_server()
    {
        var files = Directory.EnumerateFiles(image.App).Select(file => Path.GetFileName(file)).ToList();
        var listing = ImageBuildStage.Listing(image.App);

        // What the bot needs is there, so an empty or wrong folder cannot pass.
        Assert.True(files.Contains(Bot) && files.Contains("Specific.Jobs.dll") && files.Contains("Temporalio.dll"), $"The bot's own assemblies are missing from /app:\n{listing}");
        // The Slack stand-in, the cluster simulator and the Temporal stand-in are one assembly, its page embedded in it.
        Assert.DoesNotContain(files, file => file.StartsWith("Specific.Sandbox", StringComparison.Ordinal));
        // Only the Temporal stand-in serves gRPC (Grpc.AspNetCore); the bot's Temporal client is Temporalio's own.
        Assert.DoesNotContain(files, file => file.StartsWith("Grpc.", StringComparison.Ordinal));
        Assert.DoesNotContain(SandboxExamplePolicy, files);

        var dependencies = File.ReadAllText(Path.Combine(image.App, "Specific.JobsBot.deps.json"));
        Assert.DoesNotContain("Specific.Sandbox", dependencies, StringComparison.Ordinal);
        Assert.DoesNotContain("Grpc.", dependencies, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_published_bot_answers_sandbox_with_one_line_and_exit_code_1()
    {
        var (exitCode, output, errors) = await RunPublishedBotAsync(BotRoles.SandboxFlag);

        Assert.True(exitCode == 1, $"Exit code {exitCode}, expected 1. Output:\n{output}\n{errors}");
        Assert.Equal(BotSandbox.NotInThisBuild, errors.Trim());
        Assert.Contains("dotnet run --project src/Specific.JobsBot -- --sandbox", errors, StringComparison.Ordinal);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public async Task The_published_bot_starts_its_bot_role_far_enough_to_name_the_settings_it_lacks()
    {
        // Every hosting type loads without the sandbox's assemblies: the answer is the settings check, not a missing file.
        var (exitCode, output, errors) = await RunPublishedBotAsync("bot");

        Assert.True(exitCode == 1, $"Exit code {exitCode}, expected 1. Output:\n{output}\n{errors}");
        Assert.StartsWith("The bot cannot start: its configuration is incomplete or invalid.", errors.Trim(), StringComparison.Ordinal);
        Assert.Contains("Slack__BotToken is not set", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
    }

    /// <summary>Runs the published bot as the image's entry point does, in production; a bot that does not end is killed after 3 minutes.</summary>
    private async Task<(int ExitCode, string Output, string Errors)> RunPublishedBotAsync(string argument)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromMinutes(3));
        return await ImageBuildStage.DotnetAsync(
            [Path.Combine(image.App, Bot), argument], image.App, limit.Token, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
    }
}
