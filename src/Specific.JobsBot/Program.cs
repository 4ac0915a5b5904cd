using Specific.JobsBot.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSlackFrontDoor();
var app = builder.Build();
app.MapSlackEndpoints();
await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
