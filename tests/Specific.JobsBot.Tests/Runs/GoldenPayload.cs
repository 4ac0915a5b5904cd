using System.Runtime.CompilerServices;
using System.Text.Json;
using Specific.JobsBot.Tests.Threads;
using Specific.Slack;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>
/// Compares a Slack payload that is not a message (a modal view, a view_submission answer) with the JSON files in
/// Runs/Golden, written the way <see cref="GoldenFile"/> writes messages and rewritten by the same UPDATE_GOLDENS=1.
/// </summary>
internal static class GoldenPayload
{
    private static readonly JsonSerializerOptions Indented = new(SlackJson.Options) { WriteIndented = true };

    public static void Verify<T>(string name, T payload, [CallerFilePath] string callerPath = "")
    {
        var actual = JsonSerializer.Serialize(payload, Indented).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(Path.GetDirectoryName(callerPath)!, "Golden", name + ".json");
        if (Environment.GetEnvironmentVariable(GoldenFile.UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run the tests with {GoldenFile.UpdateVariable}=1 to create it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
