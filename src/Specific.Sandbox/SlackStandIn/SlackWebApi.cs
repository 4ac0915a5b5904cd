using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's Web API methods over the workspace: the same arguments, answers and error codes as slack.com/api.</summary>
internal sealed class SlackWebApi
{
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth.test", "chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral", "chat.getPermalink",
        "views.open", "views.update", "views.push", "views.publish", "files.getUploadURLExternal", "files.completeUploadExternal",
        "users.info", "conversations.info", "conversations.history", "conversations.replies", "conversations.join",
        "usergroups.users.list",
    };

    private readonly SlackWorkspace _workspace;
    private readonly ChatApi _chat;
    private readonly ViewsApi _views;
    private readonly FilesApi _files;
    private readonly UsersApi _users;
    private readonly ConversationsApi _conversations;

    public SlackWebApi(SlackWorkspace workspace)
    {
        _workspace = workspace;
        Objects = new SlackObjects(workspace);
        _chat = new ChatApi(workspace, Objects);
        _views = new ViewsApi(workspace);
        _files = new FilesApi(workspace, Objects);
        _users = new UsersApi(workspace, Objects);
        _conversations = new ConversationsApi(workspace, Objects);
    }

    /// <summary>Messages, files and users shaped as the API returns them.</summary>
    public SlackObjects Objects { get; }

    private SlackStandInOptions Options => _workspace.Options;

    public ApiAnswer Call(string method, ApiArguments args) => method switch
    {
        "auth.test" => AuthTest(),
        "chat.postMessage" => _chat.PostMessage(args),
        "chat.update" => _chat.Update(args),
        "chat.delete" => _chat.Delete(args),
        "chat.postEphemeral" => _chat.PostEphemeral(args),
        "chat.getPermalink" => _chat.GetPermalink(args),
        "views.open" => _views.OpenView(args, push: false),
        "views.push" => _views.OpenView(args, push: true),
        "views.update" => _views.UpdateView(args),
        "views.publish" => _views.PublishView(args),
        "files.getUploadURLExternal" => _files.GetUploadUrl(args),
        "files.completeUploadExternal" => _files.CompleteUpload(args),
        "users.info" => _users.UserInfo(args),
        "conversations.info" => _conversations.ConversationInfo(args),
        "conversations.history" => _conversations.History(args),
        "conversations.replies" => _conversations.Replies(args),
        "conversations.join" => _conversations.Join(args),
        "usergroups.users.list" => _users.UserGroupMembers(args),
        _ => new ApiAnswer(404, new JsonObject { ["ok"] = false, ["error"] = "unknown_method", ["req_method"] = method }),
    };

    private ApiAnswer AuthTest() => ApiAnswer.Ok(new JsonObject
    {
        ["url"] = $"https://{Options.TeamDomain}.slack.com/",
        ["team"] = "Sandbox",
        ["user"] = SlackWorkspace.BotName,
        ["team_id"] = Options.TeamId,
        ["user_id"] = SlackWorkspace.BotUserId,
        ["bot_id"] = SlackWorkspace.BotId,
        ["is_enterprise_install"] = false,
    });
}
