namespace Specific.JobsBot.Hosting;

/// <summary>The offline world that <c>--sandbox</c> runs beside the bot: its own endpoints and the welcome it prints.</summary>
public interface IBotSandbox : IAsyncDisposable
{
    /// <summary>The sandbox's own endpoints on the bot's listener.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>Where each part listens and what to type first, printed once the bot listens.</summary>
    string Welcome();
}

/// <summary>
/// The <c>--sandbox</c> role, when this build has it. A build with <c>-p:Sandbox=false</c> (the image's) leaves out
/// Hosting/Sandbox/ and the stand-ins of src/Specific.Sandbox, so <c>--sandbox</c> there is refused in one line.
/// </summary>
public static class BotSandbox
{
    /// <summary>What a build without the sandbox answers to <c>--sandbox</c>.</summary>
    public const string NotInThisBuild =
        "This build has no sandbox (it was published with -p:Sandbox=false, as the image is). " +
        "Use `dotnet run --project src/Specific.JobsBot -- --sandbox` from a checkout.";

    /// <summary>Whether this build has the sandbox: true unless it was built with <c>-p:Sandbox=false</c>.</summary>
    public static bool IsIncluded =>
#if SANDBOX
        true;
#else
        false;
#endif

    /// <summary>Starts the stand-ins and points the bot's configuration at them, before the bot is built.</summary>
    public static Task<IBotSandbox> StartAsync(WebApplicationBuilder builder, IReadOnlyList<string> args) =>
#if SANDBOX
        StartHostAsync(builder, args);

    private static async Task<IBotSandbox> StartHostAsync(WebApplicationBuilder builder, IReadOnlyList<string> args) =>
        await SandboxHost.StartAsync(builder, args);
#else
        Task.FromException<IBotSandbox>(new InvalidOperationException(NotInThisBuild));
#endif
}
