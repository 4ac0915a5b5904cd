// Composition root: filled in by the front door work.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
await app.RunAsync();
