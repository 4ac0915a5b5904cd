using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s;

namespace Specific.EndToEnd.Tests.Host;

/// <summary>
/// <c>dotnet Specific.JobsBot.dll --sandbox</c> as its own process, driven as the sandbox page drives it: the Slack
/// stand-in, the cluster and the Temporal stand-in all live inside it, so a SIGKILL takes all of them down and a
/// restart begins with only what the SQLite file kept.
/// </summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    public const string ChannelId = "C0SANDBOX";
    public const string UserId = "U0SANDBOX";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string _dataDirectory;

    private SandboxProcess(BotProcess process, Uri slackUrl, Uri clusterUrl, string dataDirectory)
    {
        Process = process;
        SlackUrl = slackUrl;
        ClusterUrl = clusterUrl;
        _dataDirectory = dataDirectory;
    }

    public BotProcess Process { get; }

    /// <summary>The Slack stand-in's page and its /sandbox/* endpoints.</summary>
    public Uri SlackUrl { get; }

    /// <summary>The cluster simulator's Kubernetes API.</summary>
    public Uri ClusterUrl { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts the sandbox on free loopback ports, with its SQLite file in a fresh directory.</summary>
    public static async Task<SandboxProcess> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("jobsbot-sandbox-").FullName;
        var botUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
        var slackUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
        var clusterUrl = new Uri($"http://127.0.0.1:{BotProcess.FreePort()}");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Bot__Url"] = botUrl.ToString().TrimEnd('/'),
            ["Sandbox__SlackUrl"] = slackUrl.ToString().TrimEnd('/'),
            ["Sandbox__ClusterUrl"] = clusterUrl.ToString().TrimEnd('/'),
            ["Sandbox__TemporalUrl"] = $"http://127.0.0.1:{BotProcess.FreePort()}",
            // The same credentials across restarts, as an operator's configuration would keep them.
            ["Slack__SigningSecret"] = RandomNumberGenerator.GetHexString(32, lowercase: true),
            ["Slack__BotToken"] = "xoxb-sandbox-" + RandomNumberGenerator.GetHexString(24, lowercase: true),
            ["Storage__SqlitePath"] = Path.Combine(dataDirectory, "jobs.db"),
            ["Logging__LogLevel__Specific"] = "Debug",
            ["Logging__Console__FormatterName"] = "simple",
            ["DOTNET_NOLOGO"] = "1",
        };
        var sandbox = new SandboxProcess(new BotProcess(botUrl, environment, ["--sandbox"]), slackUrl, clusterUrl, dataDirectory);
        try
        {
            await sandbox.Process.StartAsync(Ct);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
        return sandbox;
    }

    /// <summary>Types <c>/specific {text}</c> on the page as the sandbox user; returns the text of the ephemeral answer.</summary>
    public async Task<string> CommandAsync(string text)
    {
        var before = (await EphemeralsAsync()).Count;
        await TypeAsync(text);
        return await JobsSandbox.Eventually(
            async () => (await EphemeralsAsync()).Skip(before).LastOrDefault(),
            TimeSpan.FromSeconds(10),
            () => $"No ephemeral answer to /specific {text}.\n{Process.RecentOutput}");
    }

    /// <summary>Types <c>/specific {text}</c> on the page as the sandbox user and waits until the bot acknowledged it.</summary>
    public async Task TypeAsync(string text)
    {
        using var answer = await Http.PostAsJsonAsync(
            new Uri(SlackUrl, "/sandbox/command"), new { user = UserId, channel = ChannelId, text }, Ct);
        answer.EnsureSuccessStatusCode();
        using var result = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct));
        Assert.True(!result.RootElement.TryGetProperty("error", out var error) || error.ValueKind == JsonValueKind.Null,
            $"/specific {text} was not acknowledged: {result.RootElement}\n{Process.RecentOutput}");
    }

    /// <summary>The id of the job in the sandbox's newest Temporal workflow (<c>job-&lt;id&gt;</c>), once there is one.</summary>
    public Task<string> NewestJobIdAsync() =>
        JobsSandbox.Eventually(
            async () => (await WorkflowsAsync()).Select(w => w.GetProperty("workflowId").GetString()).FirstOrDefault()?["job-".Length..],
            TimeSpan.FromSeconds(15),
            () => $"No workflow appeared.\n{Process.RecentOutput}");

    /// <summary>The Temporal stand-in's status of the job's workflow (Running, Completed, Canceled…), or null when it has none.</summary>
    public async Task<string?> WorkflowStatusAsync(string jobId) =>
        (await WorkflowsAsync($"job-{jobId}")).Select(w => w.GetProperty("status").GetString()).FirstOrDefault();

    /// <summary>A Kubernetes client of the sandbox's cluster, as kubectl --server would be.</summary>
    public Kubernetes KubernetesClient() => new(new KubernetesClientConfiguration { Host = ClusterUrl.ToString().TrimEnd('/') });

    public Task KillAsync() => Process.KillAsync();

    public Task RestartAsync() => Process.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }

    private async Task<IReadOnlyList<JsonElement>> WorkflowsAsync(string? id = null)
    {
        var query = id is null ? "" : "?id=" + Uri.EscapeDataString(id);
        var json = await Http.GetStringAsync(new Uri(Process.Url, "/sandbox/temporal/workflows" + query), Ct);
        return JsonDocument.Parse(json).RootElement.EnumerateArray().Select(w => w.Clone()).ToList();
    }

    private async Task<IReadOnlyList<string>> EphemeralsAsync()
    {
        var json = await Http.GetStringAsync(new Uri(SlackUrl, $"/sandbox/state?channel={ChannelId}&user={UserId}"), Ct);
        using var state = JsonDocument.Parse(json);
        return state.RootElement.GetProperty("ephemerals").EnumerateArray().Select(VisibleText).ToList();
    }

    /// <summary>The message's text and every text in its blocks, as a person reads it.</summary>
    private static string VisibleText(JsonElement message)
    {
        var text = new StringBuilder();
        void Collect(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name == "text" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            text.AppendLine(property.Value.GetString());
                        }
                        else
                        {
                            Collect(property.Value);
                        }
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item);
                    }
                    break;
            }
        }

        Collect(message);
        return text.ToString();
    }
}
