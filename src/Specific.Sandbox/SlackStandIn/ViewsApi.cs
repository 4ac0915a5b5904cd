using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's views.* methods: open, push and update a modal, and publish a Home tab, with the checks Slack makes on a view.</summary>
internal sealed class ViewsApi(SlackWorkspace workspace)
{
    public ApiAnswer OpenView(ApiArguments args, bool push)
    {
        var (view, error) = ReadView(args);
        if (error is not null)
            return error;
        var (userId, triggerError) = workspace.Views.ExchangeTrigger(args.String("trigger_id"));
        if (triggerError is not null)
            return ApiAnswer.Fail(triggerError);
        if (push && workspace.Views.Depth(userId!) >= SlackWorkspace.MaxViewStack)
            return ApiAnswer.Fail("push_limit_reached");
        var opened = workspace.Views.Open(userId!, view!, push && workspace.Views.Depth(userId!) > 0);
        return ApiAnswer.Ok(new JsonObject { ["view"] = workspace.Views.Json(opened) });
    }

    public ApiAnswer UpdateView(ApiArguments args)
    {
        var viewId = args.NonEmpty("view_id");
        var externalId = args.NonEmpty("external_id");
        if (viewId is null && externalId is null)
            return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: view_id or external_id [json-pointer:/]"]);
        var (view, error) = ReadView(args);
        if (error is not null)
            return error;
        var (updated, updateError) = workspace.Views.Update(viewId, externalId, args.NonEmpty("hash"), view!);
        if (updateError is not null)
            return ApiAnswer.Fail(updateError);
        return ApiAnswer.Ok(new JsonObject { ["view"] = workspace.Views.Json(updated!) });
    }

    /// <summary>
    /// views.publish: sets a person's Home tab. Needs the app's Home tab on (not_enabled otherwise), a user_id of someone
    /// in the workspace (not_found otherwise) and a view of type home within Block Kit's limits (invalid_arguments).
    /// </summary>
    public ApiAnswer PublishView(ApiArguments args)
    {
        var userId = args.NonEmpty("user_id");
        if (userId is null)
            return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: user_id [json-pointer:/]"]);
        var (node, malformed) = args.Json("view");
        if (malformed || node is null)
            return ApiAnswer.Fail("invalid_arguments", [malformed ? "[ERROR] must be a valid JSON object [json-pointer:/view]" : "[ERROR] missing required field: view [json-pointer:/]"]);
        if (node.ToJsonString().Length > BlockKitRules.MaxViewJsonLength)
            return ApiAnswer.Fail("view_too_large");
        var problems = BlockKitRules.CheckHomeView(node);
        if (problems.Count > 0)
            return ApiAnswer.Fail("invalid_arguments", problems);
        if (!workspace.Options.HomeTabEnabled)
            return ApiAnswer.Fail("not_enabled");
        if (!SlackWorkspace.IsUserId(userId) || userId == SlackWorkspace.BotUserId)
            return ApiAnswer.Fail("not_found");
        var view = (JsonObject)node;
        BlockIds.Assign(view["blocks"] as JsonArray);
        var (published, error) = workspace.Homes.Publish(userId, args.NonEmpty("hash"), view);
        return error is not null ? ApiAnswer.Fail(error) : ApiAnswer.Ok(new JsonObject { ["view"] = workspace.Homes.Json(published!) });
    }

    /// <summary>Reads and checks a view argument the way views.* do.</summary>
    internal static (JsonObject? View, ApiAnswer? Error) ReadView(ApiArguments args)
    {
        var (node, malformed) = args.Json("view");
        if (malformed || node is null)
            return (null, ApiAnswer.Fail("invalid_arguments", [malformed ? "[ERROR] must be a valid JSON object [json-pointer:/view]" : "[ERROR] missing required field: view [json-pointer:/]"]));
        return CheckView(node);
    }

    internal static (JsonObject? View, ApiAnswer? Error) CheckView(JsonNode node)
    {
        if (node.ToJsonString().Length > BlockKitRules.MaxViewJsonLength)
            return (null, ApiAnswer.Fail("view_too_large"));
        var problems = BlockKitRules.CheckView(node);
        if (problems.Count > 0)
            return (null, ApiAnswer.Fail("invalid_arguments", problems));
        var view = (JsonObject)node;
        BlockIds.Assign(view["blocks"] as JsonArray);
        return (view, null);
    }
}
