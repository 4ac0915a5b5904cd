using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.SlackStandIn;

internal static partial class SandboxPage
{
    /// <summary>The page's Home tab: opening it (app_home_opened to the bot) and clicking its buttons.</summary>
    private static void MapHome(WebApplication app, SlackStandIn standIn)
    {
        app.MapPost("/sandbox/home-open", async (PageHome open, CancellationToken ct) =>
        {
            if (!SlackWorkspace.IsUserId(open.User))
                return Results.Text(new JsonObject { ["ok"] = false, ["error"] = "user_not_found", ["problem"] = $"'{open.User}' is not a user id (U… or W…)." }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
            var delivery = await standIn.OpenHomeAsync(open.User, ct);
            return Json(new JsonObject { ["sent"] = delivery is not null, ["status"] = delivery?.StatusCode, ["error"] = delivery?.Error });
        });

        app.MapPost("/sandbox/home-click", async (PageHomeClick click, CancellationToken ct) =>
        {
            if (standIn.HomeOf(click.User) is null)
                return Results.Text(new JsonObject { ["ok"] = false, ["error"] = "not_found", ["problem"] = "The app has published no Home tab for this person; open the Home tab first." }.ToJsonString(), "application/json; charset=utf-8", statusCode: 400);
            var result = await standIn.ClickHomeButtonAsync(click.User, click.ActionId, ct);
            return Json(new JsonObject { ["status"] = result.StatusCode, ["error"] = result.Error });
        });
    }

    private sealed record PageHome(string User);

    private sealed record PageHomeClick(string User, string ActionId);
}
