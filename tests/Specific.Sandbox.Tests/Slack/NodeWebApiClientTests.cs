using System.Diagnostics;
using System.Text.Json.Nodes;
using Specific.Sandbox.SlackStandIn;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>Slack's official Node client (@slack/web-api from npm) against the stand-in.</summary>
public sealed class NodeWebApiClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string NodeDirectory => Path.Combine(RepositoryRoot(), "tests", "Specific.Sandbox.Tests", "node");

    private static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>
    /// Runs `npm ci` once when a package of package.json is missing. One at a time: `npm ci` empties node_modules first,
    /// so two tests installing at once (on a fresh clone) would pull the packages from under each other.
    /// </summary>
    internal static async Task EnsurePackagesAsync()
    {
        await Install.WaitAsync(Ct);
        try
        {
            string[] packages = ["web-api", "socket-mode"];
            if (packages.All(package => Directory.Exists(Path.Combine(NodeDirectory, "node_modules", "@slack", package))))
            {
                return;
            }

            var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"npm ci failed: {output}");
        }
        finally
        {
            Install.Release();
        }
    }

    [Fact]
    public async Task Official_node_client_posts_updates_threads_uploads_reads_back_and_sees_slacks_errors_and_429()
    {
        if (!await CanRunAsync("node", "--version"))
            Assert.Skip("node is not installed on this machine");
        await EnsurePackagesAsync();
        await using var host = await StandInHost.StartAsync(o => o.RateLimits = new SlackRateLimits { PostMessageBurstPerChannel = 3, PostMessagesPerSecondPerChannel = 0.05 });

        var (exit, stdout) = await RunAsync("node", ["script.mjs", host.Slack.ApiBaseUrl.ToString(), StandInHost.Token], TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, stdout);
        var result = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "slack-node-client-output.json"), stdout);
        Assert.Equal("T0SANDBOX", result["auth"]!["team_id"]!.GetValue<string>());
        Assert.Matches(@"^\d{10}\.\d{6}$", result["posted"]!["ts"]!.GetValue<string>());
        Assert.Equal("Job 1 succeeded", result["updated"]!["text"]!.GetValue<string>());
        Assert.Equal("Job 1 succeeded", result["history"]!["text"]!.GetValue<string>());
        Assert.Equal(3, result["history"]!["reply_count"]!.GetValue<int>());
        Assert.True(result["history"]!["edited"]!.GetValue<bool>());
        var replies = result["replies"]!["texts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Equal(["Job 1 succeeded", "log line 1", "log line 2", ""], replies);
        Assert.Equal(["job-1.log"], result["replies"]!["files"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(2, result["paging"]!["pages"]!.GetValue<int>());
        Assert.Equal(4, result["paging"]!["messages"]!.GetValue<int>());

        var file = Assert.Single(host.Slack.Files);
        Assert.Equal("hello from the job log\n", System.Text.Encoding.UTF8.GetString(file.Content.Span));

        var errors = result["errors"]!;
        foreach (var expected in new[] { "invalid_auth", "no_text", "channel_not_found", "message_not_found", "invalid_blocks" })
            Assert.Equal(expected, errors[expected]!["error"]!.GetValue<string>());
        Assert.Contains("[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]",
            errors["invalid_blocks"]!["messages"]!.AsArray().Select(m => m!.GetValue<string>()));

        var limited = result["rateLimited"]!;
        Assert.Equal("slack_webapi_rate_limited_error", limited["code"]!.GetValue<string>());
        Assert.True(limited["retryAfter"]!.GetValue<int>() >= 1);
        Assert.Equal(3, limited["after"]!.GetValue<int>());
    }

    internal static async Task<bool> CanRunAsync(string file, string argument)
    {
        try
        {
            return (await RunAsync(file, [argument], TimeSpan.FromSeconds(30))).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = NodeDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout;
        return (process.ExitCode, process.ExitCode == 0 ? output : output + await stderr);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Specific.JobsBot.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root from " + AppContext.BaseDirectory);
    }
}
