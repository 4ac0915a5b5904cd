using Specific.JobsBot.Hosting;

// Roles: `bot` (default) serves Slack, `worker` hosts the Temporal worker, `--sandbox` runs everything offline.
var role = BotRoles.FromArgs(args);
var builder = WebApplication.CreateBuilder(args);
await using var sandbox = role == BotRole.Sandbox ? await SandboxHost.StartAsync(builder, args) : null;

builder.ListenOnBotUrl();
builder.Services.AddJobEngineFor(builder.Configuration, role);
if (role != BotRole.Worker)
{
    builder.Services.AddSlackParts(builder.Configuration);
}

var app = builder.Build();
if (role == BotRole.Worker)
{
    app.MapHealth();
}
else
{
    app.MapSlackEndpoints();
}

if (sandbox is not null)
{
    app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(sandbox.Welcome()));
}

await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
