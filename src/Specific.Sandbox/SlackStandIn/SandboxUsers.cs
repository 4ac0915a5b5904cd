namespace Specific.Sandbox.SlackStandIn;

/// <summary>Names for the people of the sandbox; any other U-id gets a plausible invented profile.</summary>
internal static class SandboxUsers
{
    private static readonly Dictionary<string, (string Name, string RealName)> Known = new(StringComparer.Ordinal)
    {
        [SlackWorkspace.SandboxUserId] = ("sandbox-user", "Sandbox User"),
        ["U0ALICE"] = ("alice", "Alice Example"),
        [SlackWorkspace.BotUserId] = (SlackWorkspace.BotName, "Specific Jobs"),
    };

    public static IEnumerable<string> KnownIds => Known.Keys.Where(id => id != SlackWorkspace.BotUserId);

    public static string NameOf(string userId) =>
        Known.TryGetValue(userId, out var known) ? known.Name : "user-" + userId.ToLowerInvariant();

    public static string RealNameOf(string userId) =>
        Known.TryGetValue(userId, out var known) ? known.RealName : "User " + userId;
}
