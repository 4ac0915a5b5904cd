using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>The page at "/" and the small /sandbox/* endpoints it uses to read the workspace and act as a person.</summary>
internal static partial class SandboxPage
{
    private const string ResourcePrefix = "Specific.Sandbox.wwwroot.";

    public static void Map(WebApplication app, SlackStandIn standIn, SlackWorkspace workspace, SlackWebApi api)
    {
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/assets/{name}", (string name) => Asset(name));

        app.MapGet("/archives/{channel}/{permalink}", (string channel, string permalink) =>
        {
            var digits = permalink.TrimStart('p');
            var ts = digits.Length > 6 ? $"{digits[..^6]}.{digits[^6..]}" : digits;
            return Results.Redirect($"/?channel={Uri.EscapeDataString(channel)}&ts={Uri.EscapeDataString(ts)}");
        });

        app.MapGet("/sandbox/state", (string? channel, string? user) =>
        {
            var channelId = string.IsNullOrEmpty(channel) ? SlackWorkspace.SandboxChannelId : channel;
            var userId = string.IsNullOrEmpty(user) ? SlackWorkspace.SandboxUserId : user;
            var view = workspace.Views.Top(userId);
            var state = new JsonObject
            {
                ["team_id"] = workspace.Options.TeamId,
                ["command"] = workspace.Options.Command,
                ["bot_name"] = SlackWorkspace.BotName,
                ["bot_user_id"] = SlackWorkspace.BotUserId,
                ["shortcuts"] = new JsonArray(workspace.Options.GlobalShortcuts.Select(s => (JsonNode)new JsonObject
                {
                    ["name"] = s.Name,
                    ["callback_id"] = s.CallbackId,
                    ["description"] = s.Description,
                }).ToArray()),
                ["me"] = userId,
                ["users"] = new JsonArray(SandboxUsers.KnownIds.Append(SlackWorkspace.BotUserId).Select(id => (JsonNode)new JsonObject
                {
                    ["id"] = id,
                    ["name"] = SandboxUsers.NameOf(id),
                }).ToArray()),
                ["channels"] = new JsonArray(workspace.Channels().Select(c => (JsonNode)ChannelJson(c)).ToArray()),
                ["channel"] = ChannelJson(workspace.Directory.Get(channelId)),
                ["messages"] = new JsonArray(workspace.ChannelMessages(channelId).Select(m => (JsonNode)api.Objects.Message(m)).ToArray()),
                ["ephemerals"] = new JsonArray(workspace.Ephemerals(userId).Where(e => e.ChannelId == channelId).Select(e => (JsonNode)EphemeralJson(e)).ToArray()),
                ["view"] = view is null ? null : new JsonObject
                {
                    ["id"] = view.Id,
                    ["view"] = JsonNode.Parse(view.View.GetRawText()),
                    ["errors"] = new JsonObject(view.Errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
                },
                ["home_enabled"] = workspace.Options.HomeTabEnabled,
                ["home"] = workspace.Homes.Of(userId) is { } home ? new JsonObject { ["id"] = home.Id, ["view"] = JsonNode.Parse(home.View.GetRawText()) } : null,
                ["deadline_misses"] = new JsonArray(workspace.DeadlineMisses().Select(m => (JsonNode)m).ToArray()),
                ["socket_mode"] = standIn.SocketMode.Enabled
                    ? new JsonObject { ["open_connections"] = standIn.SocketMode.OpenConnections, ["connections_so_far"] = standIn.SocketMode.Connections.Count }
                    : null,
            };
            return Json(state);
        });

        app.MapGet("/sandbox/thread", (string channel, string ts) =>
            Json(new JsonObject { ["messages"] = new JsonArray(workspace.Thread(channel, ts).Select(m => (JsonNode)api.Objects.Message(m)).ToArray()) }));

        app.MapPost("/sandbox/command", async (PageCommand command, CancellationToken ct) =>
        {
            var result = await standIn.RunSlashCommandAsync(command.User, command.Channel, command.Text, ct);
            return Json(new JsonObject { ["status"] = result.StatusCode, ["error"] = result.Error, ["elapsed_ms"] = result.Elapsed.TotalMilliseconds });
        });

        app.MapPost("/sandbox/channels", (PageChannel channel) =>
        {
            var (created, error) = workspace.Directory.Create(channel.Name, channel.Private, channel.BotMember);
            if (created is null)
                return Results.Text(new JsonObject { ["ok"] = false, ["error"] = error, ["problem"] = ChannelNameProblem(error!) }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
            return Json(new JsonObject { ["ok"] = true, ["channel"] = ChannelJson(created) });
        });

        app.MapPost("/sandbox/invite", (PageMembership invite) => Membership(workspace, invite.Channel, member: true));
        app.MapPost("/sandbox/remove", (PageMembership remove) => Membership(workspace, remove.Channel, member: false));

        app.MapPost("/sandbox/message", (PageMessage message) =>
        {
            var posted = standIn.PostAsPerson(message.User, message.Channel, message.Text, string.IsNullOrEmpty(message.ThreadTs) ? null : message.ThreadTs);
            return Json(new JsonObject { ["ts"] = posted.Ts });
        });

        app.MapPost("/sandbox/click", async (PageClick click, CancellationToken ct) =>
        {
            var result = await standIn.ClickButtonAsync(click.User, click.Channel, click.Ts, click.ActionId, ct);
            return Json(new JsonObject { ["status"] = result.StatusCode, ["error"] = result.Error });
        });

        app.MapPost("/sandbox/submit", async (PageSubmit submit, CancellationToken ct) =>
        {
            var values = submit.Values.ToDictionary(b => b.Key, b => (IReadOnlyDictionary<string, string>)b.Value);
            var result = await standIn.SubmitViewAsync(submit.User, submit.ViewId, values, ct);
            return Json(new JsonObject
            {
                ["status"] = result.StatusCode,
                ["error"] = result.Error,
                ["response_action"] = result.ResponseAction,
                ["errors"] = new JsonObject(result.Errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
            });
        });

        app.MapPost("/sandbox/shortcut", async (PageShortcut shortcut, CancellationToken ct) =>
        {
            if (!workspace.Options.GlobalShortcuts.Any(s => s.CallbackId == shortcut.CallbackId))
                return Results.Text(new JsonObject { ["ok"] = false, ["error"] = "unknown_shortcut" }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
            var result = await standIn.UseGlobalShortcutAsync(shortcut.User, shortcut.CallbackId, ct);
            return Json(new JsonObject { ["status"] = result.StatusCode, ["error"] = result.Error });
        });

        MapHome(app, standIn);

        app.MapPost("/sandbox/close-view", (PageCloseView close) =>
        {
            standIn.CloseView(close.User, close.ViewId);
            return Results.NoContent();
        });

        app.MapGet("/sandbox/events", async (HttpContext http) =>
        {
            var lifetime = http.RequestServices.GetRequiredService<IHostApplicationLifetime>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
            void OnChanged(string scope) => changes.Writer.TryWrite(scope);
            workspace.Changed += OnChanged;
            try
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                await http.Response.WriteAsync(": connected\n\n", stop.Token);
                await http.Response.Body.FlushAsync(stop.Token);
                while (!stop.IsCancellationRequested)
                {
                    using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                    string line;
                    try
                    {
                        var scope = await changes.Reader.ReadAsync(heartbeat.Token);
                        line = $"data: {JsonSerializer.Serialize(new { scope })}\n\n";
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        line = ": heartbeat\n\n";
                    }
                    await http.Response.WriteAsync(line, stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // the page went away or the stand-in is stopping
            }
            finally
            {
                workspace.Changed -= OnChanged;
            }
        });
    }

    private static IResult Membership(SlackWorkspace workspace, string channelId, bool member)
    {
        if (!SlackWorkspace.IsChannelId(channelId))
            return Results.Text(new JsonObject { ["ok"] = false, ["error"] = "channel_not_found", ["problem"] = $"'{channelId}' is not a channel id (C…, G… or D…)." }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
        if (!workspace.Directory.SetBotMember(channelId, member))
            return Results.Text(new JsonObject { ["ok"] = false, ["error"] = "cant_invite", ["problem"] = "A direct message has no members to change; open a channel first." }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
        return Json(new JsonObject { ["ok"] = true, ["channel"] = ChannelJson(workspace.Directory.Get(channelId)) });
    }

    private static string ChannelNameProblem(string error) => error switch
    {
        "invalid_name_required" => "Give the channel a name.",
        "invalid_name_maxlength" => "Channel names have at most 80 characters.",
        "name_taken" => "A channel with that name exists already.",
        _ => "Channel names may only contain lowercase letters, numbers, hyphens and underscores.",
    };

    private static JsonObject ChannelJson(StandInChannel channel) => new()
    {
        ["id"] = channel.Id,
        ["name"] = channel.Name,
        ["kind"] = channel.Kind switch
        {
            ChannelKind.Private => "private",
            ChannelKind.DirectMessage => "im",
            ChannelKind.GroupDirectMessage => "mpim",
            _ => "public",
        },
        ["is_private"] = channel.IsPrivate,
        ["bot_member"] = channel.BotMember,
    };

    private static JsonObject EphemeralJson(StandInEphemeral e)
    {
        var json = new JsonObject { ["ts"] = e.Ts, ["text"] = e.Text, ["source"] = e.Source, ["thread_ts"] = e.ThreadTs };
        if (e.Blocks is { } blocks)
            json["blocks"] = JsonNode.Parse(blocks.GetRawText());
        return json;
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json; charset=utf-8");

    private static IResult Asset(string name)
    {
        var stream = typeof(SandboxPage).Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null)
            return Results.NotFound();
        var contentType = MimeTypes.For(name);
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.Contains("javascript", StringComparison.Ordinal))
            contentType += "; charset=utf-8";
        return Results.Stream(stream, contentType);
    }

    private sealed record PageCommand(string User, string Channel, string Text);

    private sealed record PageChannel(string Name, bool Private, bool BotMember);

    private sealed record PageMembership(string Channel);

    private sealed record PageMessage(string User, string Channel, string Text, string? ThreadTs);

    private sealed record PageClick(string User, string Channel, string Ts, string ActionId);

    private sealed record PageSubmit(string User, string ViewId, Dictionary<string, Dictionary<string, string>> Values);

    private sealed record PageCloseView(string User, string ViewId);

    private sealed record PageShortcut(string User, string CallbackId);
}
