using System.Runtime.CompilerServices;
using System.Text.Json;
using Specific.Slack;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Tests.Threads;

/// <summary>
/// Compares rendered Slack messages and other payloads with the JSON files in the caller's Golden folder. Set UPDATE_GOLDENS=1 to rewrite the files
/// from the current output (then review the diff before committing).
/// </summary>
internal static class GoldenFile
{
    public const string UpdateVariable = "UPDATE_GOLDENS";

    private static readonly JsonSerializerOptions Indented = new(SlackJson.Options) { WriteIndented = true };

    public static void Verify(string name, SlackMessage message, [CallerFilePath] string callerPath = "")
    {
        // Every golden output must also be a message Slack would accept.
        BlockKitLimits.EnsureValid(message);
        VerifyPayload(name, message, callerPath);
    }

    /// <summary>The same for a payload that is not a message (a modal view, a view_submission answer): its JSON, compared as is.</summary>
    public static void VerifyPayload<T>(string name, T payload, [CallerFilePath] string callerPath = "")
    {
        var actual = JsonSerializer.Serialize(payload, Indented).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(Path.GetDirectoryName(callerPath)!, "Golden", name + ".json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run the tests with {UpdateVariable}=1 to create it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }
}
