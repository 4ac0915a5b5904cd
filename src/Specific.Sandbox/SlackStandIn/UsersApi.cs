using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's users.info and usergroups.users.list over the sandbox's people and groups.</summary>
internal sealed class UsersApi(SlackWorkspace workspace, SlackObjects objects)
{
    /// <summary>The members of a user group the workspace defines (SlackStandInOptions.UserGroups); any other id is unknown, as in Slack.</summary>
    public ApiAnswer UserGroupMembers(ApiArguments args)
    {
        var group = args.String("usergroup");
        if (string.IsNullOrEmpty(group))
            return ApiAnswer.Fail("invalid_arguments");
        if (!workspace.Options.UserGroups.TryGetValue(group, out var members))
            return ApiAnswer.Fail("no_such_subteam");
        return ApiAnswer.Ok(new JsonObject { ["users"] = new JsonArray(members.Select(m => (JsonNode)m).ToArray()) });
    }

    public ApiAnswer UserInfo(ApiArguments args)
    {
        var user = args.String("user");
        if (!SlackWorkspace.IsUserId(user))
            return ApiAnswer.Fail("user_not_found");
        return ApiAnswer.Ok(new JsonObject { ["user"] = objects.User(user!) });
    }
}
