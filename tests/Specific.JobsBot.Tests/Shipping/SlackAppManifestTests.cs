using System.Reflection;
using System.Text.RegularExpressions;
using Specific.Slack.WebApi;
using YamlDotNet.RepresentationModel;
using Specific.JobsBot.Commands;
using Specific.JobsBot.FrontDoor;
using Specific.JobsBot.Runs;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>slack-app.yml has the shape Slack accepts, and asks for exactly the scopes the bot's code needs.</summary>
public sealed partial class SlackAppManifestTests
{
    /// <summary>Each SlackWebClient call to the Web API method(s) it makes.</summary>
    private static readonly Dictionary<string, string[]> WebApiMethodsByClientCall = new(StringComparer.Ordinal)
    {
        [nameof(SlackWebClient.PostMessageAsync)] = [SlackWebClient.Methods.PostMessage],
        [nameof(SlackWebClient.UpdateMessageAsync)] = [SlackWebClient.Methods.Update],
        [nameof(SlackWebClient.DeleteMessageAsync)] = [SlackWebClient.Methods.Delete],
        [nameof(SlackWebClient.PostEphemeralAsync)] = [SlackWebClient.Methods.PostEphemeral],
        [nameof(SlackWebClient.GetPermalinkAsync)] = [SlackWebClient.Methods.GetPermalink],
        [nameof(SlackWebClient.OpenViewAsync)] = [SlackWebClient.Methods.ViewsOpen],
        [nameof(SlackWebClient.UpdateViewAsync)] = [SlackWebClient.Methods.ViewsUpdate],
        [nameof(SlackWebClient.PushViewAsync)] = [SlackWebClient.Methods.ViewsPush],
        [nameof(SlackWebClient.PublishViewAsync)] = [SlackWebClient.Methods.ViewsPublish],
        [nameof(SlackWebClient.UploadFileAsync)] =
            [SlackWebClient.Methods.GetUploadUrlExternal, SlackWebClient.Methods.UploadUrl, SlackWebClient.Methods.CompleteUploadExternal],
        [nameof(SlackWebClient.AuthTestAsync)] = [SlackWebClient.Methods.AuthTest],
        [nameof(SlackWebClient.GetUserAsync)] = [SlackWebClient.Methods.UsersInfo],
        [nameof(SlackWebClient.GetConversationAsync)] = [SlackWebClient.Methods.ConversationsInfo],
        [nameof(SlackWebClient.JoinConversationAsync)] = [SlackWebClient.Methods.ConversationsJoin],
        [nameof(SlackWebClient.GetHistoryAsync)] = [SlackWebClient.Methods.ConversationsHistory],
        [nameof(SlackWebClient.GetRepliesAsync)] = [SlackWebClient.Methods.ConversationsReplies],
        [nameof(SlackWebClient.ListUserGroupMembersAsync)] = [SlackWebClient.Methods.UserGroupsUsersList],
        [nameof(SlackWebClient.PostToResponseUrlAsync)] = [SlackWebClient.Methods.ResponseUrl],
    };

    /// <summary>The bot scopes each Web API method needs (Slack's method docs); an empty list needs none.</summary>
    private static readonly Dictionary<string, string[]> ScopesByWebApiMethod = new(StringComparer.Ordinal)
    {
        [SlackWebClient.Methods.PostMessage] = ["chat:write"],
        [SlackWebClient.Methods.Update] = ["chat:write"],
        [SlackWebClient.Methods.Delete] = ["chat:write"],
        [SlackWebClient.Methods.PostEphemeral] = ["chat:write"],
        [SlackWebClient.Methods.GetPermalink] = [],
        [SlackWebClient.Methods.ViewsOpen] = [],
        [SlackWebClient.Methods.ViewsUpdate] = [],
        [SlackWebClient.Methods.ViewsPush] = [],
        [SlackWebClient.Methods.ViewsPublish] = [],
        [SlackWebClient.Methods.GetUploadUrlExternal] = ["files:write"],
        [SlackWebClient.Methods.CompleteUploadExternal] = ["files:write"],
        [SlackWebClient.Methods.UploadUrl] = [],
        [SlackWebClient.Methods.AuthTest] = [],
        [SlackWebClient.Methods.UsersInfo] = ["users:read"],
        // The bot asks about channels, private channels, its DMs and group DMs: runs may be typed in each.
        [SlackWebClient.Methods.ConversationsInfo] = ["channels:read", "groups:read", "im:read", "mpim:read"],
        [SlackWebClient.Methods.ConversationsJoin] = ["channels:join"],
        // Public and private channels: the bot may be invited to either.
        [SlackWebClient.Methods.ConversationsHistory] = ["channels:history", "groups:history"],
        [SlackWebClient.Methods.ConversationsReplies] = ["channels:history", "groups:history"],
        [SlackWebClient.Methods.UserGroupsUsersList] = ["usergroups:read"],
        [SlackWebClient.Methods.ResponseUrl] = [],
    };

    private static readonly YamlMappingNode Manifest = LoadManifest();

    [Fact]
    public void Display_information_fits_Slack_limits()
    {
        var display = Map(Manifest, "display_information");
        var name = Scalar(display, "name");
        var description = Scalar(display, "description");
        Assert.InRange(name.Length, 1, 35);
        Assert.InRange(description.Length, 1, 140);
        Assert.False(string.IsNullOrWhiteSpace(Scalar(Map(Map(Manifest, "features"), "bot_user"), "display_name")));
    }

    [Fact]
    public void The_run_a_job_shortcut_is_global_and_is_the_one_the_bot_answers()
    {
        var shortcuts = (YamlSequenceNode)Map(Manifest, "features").Children[new YamlScalarNode("shortcuts")];
        var shortcut = Assert.Single(shortcuts.Children.Cast<YamlMappingNode>());
        Assert.Equal("global", Scalar(shortcut, "type"));
        Assert.Equal(JobModal.ShortcutCallbackId, Scalar(shortcut, "callback_id"));
        Assert.Equal(JobModal.ShortcutName, Scalar(shortcut, "name"));
        Assert.Equal(JobModal.ShortcutDescription, Scalar(shortcut, "description"));
        // Slack's manifest limits: a name of at most 24 characters, a description of at most 150.
        Assert.InRange(Scalar(shortcut, "name").Length, 1, 24);
        Assert.InRange(Scalar(shortcut, "description").Length, 1, 150);
        // Shortcuts arrive at the interactivity URL, which must be on.
        Assert.Equal("true", Scalar(Map(Map(Manifest, "settings"), "interactivity"), "is_enabled"));
    }

    [Fact]
    public void The_specific_command_posts_to_the_commands_endpoint_with_a_usage_hint()
    {
        var commands = (YamlSequenceNode)Map(Manifest, "features").Children[new YamlScalarNode("slash_commands")];
        var command = Assert.Single(commands.Children.Cast<YamlMappingNode>());
        Assert.Equal("/specific", Scalar(command, "command"));
        Assert.EndsWith(SlackFrontDoor.CommandsPath, new Uri(Scalar(command, "url")).AbsolutePath, StringComparison.Ordinal);
        Assert.StartsWith("https://", Scalar(command, "url"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(Scalar(command, "description")));
        Assert.Contains("job run", Scalar(command, "usage_hint"), StringComparison.Ordinal);
        Assert.Contains(
            $"{JobCommandParser.NotifyWord} [{JobCommandParser.NotifyOn}|{JobCommandParser.NotifyOff}]", Scalar(command, "usage_hint"), StringComparison.Ordinal);
    }

    [Fact]
    public void Interactivity_posts_to_the_interactions_endpoint_and_Socket_Mode_is_off()
    {
        var settings = Map(Manifest, "settings");
        var interactivity = Map(settings, "interactivity");
        Assert.Equal("true", Scalar(interactivity, "is_enabled"));
        var url = Scalar(interactivity, "request_url");
        Assert.StartsWith("https://", url, StringComparison.Ordinal);
        Assert.Equal(SlackFrontDoor.InteractionsPath, new Uri(url).AbsolutePath);
        Assert.Equal("false", Scalar(settings, "socket_mode_enabled"));
    }

    [Fact]
    public void The_Home_tab_is_on_and_app_home_opened_posts_to_the_events_endpoint()
    {
        Assert.Equal("true", Scalar(Map(Map(Manifest, "features"), "app_home"), "home_tab_enabled"));
        var events = Map(Map(Manifest, "settings"), "event_subscriptions");
        var url = Scalar(events, "request_url");
        Assert.StartsWith("https://", url, StringComparison.Ordinal);
        Assert.Equal(SlackFrontDoor.EventsPath, new Uri(url).AbsolutePath);
        var botEvents = ((YamlSequenceNode)events.Children[new YamlScalarNode("bot_events")]).Children.Select(n => ((YamlScalarNode)n).Value!);
        // Exactly the events the bot handles: each one Slack sends costs a request.
        Assert.Equal([Specific.Slack.Payloads.AppHomeOpenedEvent.EventType], botEvents);
    }

    [Fact]
    public void The_Ingress_routes_every_request_URL_of_the_Slack_app_and_nothing_else_to_the_bot()
    {
        var features = Map(Manifest, "features");
        var settings = Map(Manifest, "settings");
        var command = ((YamlSequenceNode)features.Children[new YamlScalarNode("slash_commands")]).Children.Cast<YamlMappingNode>().Single();
        var appUrls = new[]
        {
            Scalar(command, "url"),
            Scalar(Map(settings, "interactivity"), "request_url"),
            Scalar(Map(settings, "event_subscriptions"), "request_url"),
        }.Select(url => new Uri(url)).ToList();

        var ingress = new YamlStream();
        ingress.Load(new StringReader(RepositoryFiles.Read("manifests", "base", "ingress.yaml")));
        var rule = (YamlMappingNode)((YamlSequenceNode)Map((YamlMappingNode)ingress.Documents[0].RootNode, "spec").Children[new YamlScalarNode("rules")]).Children.Single();
        var paths = ((YamlSequenceNode)Map(rule, "http").Children[new YamlScalarNode("paths")]).Children.Cast<YamlMappingNode>().Select(path => Scalar(path, "path")).Order(StringComparer.Ordinal);

        // A request URL the Ingress does not route gets its 404, and Slack gives up on the app (for events, it turns them off).
        Assert.Equal(appUrls.Select(url => url.AbsolutePath).Order(StringComparer.Ordinal), paths);
        Assert.Equal(
            new[] { SlackFrontDoor.CommandsPath, SlackFrontDoor.EventsPath, SlackFrontDoor.InteractionsPath }.Order(StringComparer.Ordinal),
            paths);
        Assert.All(appUrls, url => Assert.Equal(Scalar(rule, "host"), url.Host));
    }

    [Fact]
    public void Every_Slack_client_call_has_a_known_scope()
    {
        var calls = typeof(SlackWebClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => m.Name)
            .Where(name => name != nameof(SlackWebClient.CallAsync))
            .ToHashSet();
        Assert.Equal(calls.Order(), WebApiMethodsByClientCall.Keys.Order());
        var methods = typeof(SlackWebClient.Methods).GetFields().Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(methods.Order(), ScopesByWebApiMethod.Keys.Order());
    }

    [Fact]
    public void Bot_scopes_are_exactly_those_the_bot_code_uses()
    {
        var declared = ((YamlSequenceNode)Map(Map(Manifest, "oauth_config"), "scopes").Children[new YamlScalarNode("bot")])
            .Children.Select(n => ((YamlScalarNode)n).Value!).ToList();
        Assert.Equal(declared.Distinct().Count(), declared.Count);

        var used = ScopesUsedByBotCode();
        Assert.Equal(used.Order(), declared.Order());
    }

    /// <summary>
    /// Reads src/Specific.JobsBot: every SlackWebClient call and Methods constant it references gives its scopes, and
    /// handling slash commands needs <c>commands</c>. The raw <c>CallAsync(method)</c> is not followed: the bot does not use it.
    /// </summary>
    private static SortedSet<string> ScopesUsedByBotCode()
    {
        var methodByConstant = typeof(SlackWebClient.Methods).GetFields()
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);
        var webApiMethods = new HashSet<string>(StringComparer.Ordinal);
        var handlesCommands = false;
        foreach (var file in RepositoryFiles.SourcesOf("Specific.JobsBot"))
        {
            var source = File.ReadAllText(file);
            foreach (Match call in ClientCall().Matches(source))
            {
                if (WebApiMethodsByClientCall.TryGetValue(call.Groups["name"].Value, out var called))
                {
                    webApiMethods.UnionWith(called);
                }
            }
            foreach (Match constant in MethodsConstant().Matches(source))
            {
                webApiMethods.Add(methodByConstant[constant.Groups["name"].Value]);
            }
            handlesCommands |= source.Contains("MapPost(CommandsPath", StringComparison.Ordinal);
        }

        Assert.NotEmpty(webApiMethods);
        var scopes = new SortedSet<string>(webApiMethods.SelectMany(m => ScopesByWebApiMethod[m]), StringComparer.Ordinal);
        if (handlesCommands)
        {
            scopes.Add("commands");
        }
        return scopes;
    }

    [GeneratedRegex(@"\.(?<name>\w+Async)\(")]
    private static partial Regex ClientCall();

    [GeneratedRegex(@"SlackWebClient\.Methods\.(?<name>\w+)")]
    private static partial Regex MethodsConstant();

    private static YamlMappingNode LoadManifest()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(RepositoryFiles.Read("slack-app.yml"));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) =>
        ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value ?? "";
}
