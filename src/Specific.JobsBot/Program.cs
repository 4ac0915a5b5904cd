using Specific.JobsBot.Hosting;
using Specific.Slack.WebApi;

var role = BotRoles.FromArgs(args);
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<BotOptions>().BindConfiguration(BotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.WebHost.UseUrls(builder.Configuration[$"{BotOptions.Section}:{nameof(BotOptions.Url)}"] ?? BotOptions.DefaultUrl);

if (role is BotRole.Bot or BotRole.Sandbox)
{
    builder.Services.AddSlackWebClient(builder.Configuration);
    builder.Services.AddSlackFrontDoor();
}

var app = builder.Build();
app.MapSlackEndpoints();
await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
