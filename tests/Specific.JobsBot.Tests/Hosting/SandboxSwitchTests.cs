using Specific.JobsBot.Hosting;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>The sandbox is in the default build; only <c>-p:Sandbox=false</c> (the image, see ProductionImageTests) leaves it out.</summary>
public sealed class SandboxSwitchTests
{
    [Fact]
    public void The_default_build_keeps_the_sandbox_the_README_runs()
    {
        // The tests reference the bot as `dotnet run --project src/Specific.JobsBot` builds it: with the sandbox.
        Assert.True(BotSandbox.IsIncluded, "The default build of src/Specific.JobsBot has no sandbox; `-- --sandbox` would be refused.");
    }
}
