using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Hosting;
using Specific.JobsBot.Hosting.Health;

// Roles: `bot` (default) serves Slack, `worker` hosts the Temporal worker, `--sandbox` runs everything offline.
var role = BotRoles.FromArgs(args);
if (role == BotRole.Sandbox && !BotSandbox.IsIncluded)
{
    // The image is built without the stand-ins: say where the sandbox is, without a stack trace.
    await Console.Error.WriteLineAsync(BotSandbox.NotInThisBuild);
    return 1;
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    await using var sandbox = role == BotRole.Sandbox ? await BotSandbox.StartAsync(builder, args) : null;

    builder.ListenOnBotUrl();
    builder.AddBotTelemetry(role);
    builder.Services.AddJobEngineFor(builder.Configuration, role);
    builder.Services.AddBotHealthChecks(builder.Configuration, role);
    if (role != BotRole.Worker)
    {
        builder.Services.AddSlackParts(builder.Configuration);
    }

    var app = builder.Build();
    // Every setting at once, before anything reads one (a hosted service or a route would trip over the first bad one).
    app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
    // The stores too: a file that is not a database is told in one line, before the host would log a stack trace.
    await Specific.Jobs.Storage.StorageStartup.PrepareAsync(app.Services, CancellationToken.None);
    app.LogStartup(role);
    app.MapBotHealth();
    app.MapBotMetrics();
    if (role != BotRole.Worker)
    {
        app.MapSlackEndpoints();
    }

    if (sandbox is not null)
    {
        sandbox.MapEndpoints(app);
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(sandbox.Welcome()));
    }

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (StartupProblem.Describe(exception) is { } problem)
{
    // A setting to fix, not a bug: say which, without a stack trace.
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
