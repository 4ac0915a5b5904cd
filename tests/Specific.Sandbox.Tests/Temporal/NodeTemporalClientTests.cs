using System.Text.Json.Nodes;
using Specific.Sandbox.Tests.Slack;

namespace Specific.Sandbox.Tests.Temporal;

/// <summary>Temporal's official TypeScript client (@temporalio/client from npm, pure-JS gRPC) against the stand-in: an independent check.</summary>
public sealed class NodeTemporalClientTests
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    private static string ScriptDirectory => Path.Combine(NodeWebApiClientTests.NodeDirectory, "temporal");

    [Fact]
    public async Task Official_typescript_client_starts_describes_cancels_and_awaits_workflows_a_dotnet_worker_runs()
    {
        if (!await NodeWebApiClientTests.CanRunAsync("node", "--version"))
            Assert.Skip("node is not installed on this machine");
        await EnsurePackagesAsync();
        await using var host = await TemporalHost.StartAsync();

        var (exit, stdout) = await NodeWebApiClientTests.RunAsync("node", ["temporal/temporal-client.mjs", host.StandIn.TargetHost, host.TaskQueue], TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, stdout);
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        var result = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
        Assert.Equal("done", result["result"]!.GetValue<string>());
        Assert.Equal("COMPLETED", result["described"]!["status"]!.GetValue<string>());
        Assert.Equal("StandInScenario", result["described"]!["type"]!.GetValue<string>());
        Assert.Equal(host.TaskQueue, result["described"]!["taskQueue"]!.GetValue<string>());
        Assert.Equal(
            (int)Temporalio.Api.Enums.V1.EventType.WorkflowExecutionCompleted,
            result["historyTypes"]!.AsArray()[^1]!.GetValue<int>());
        Assert.Equal("WorkflowExecutionAlreadyStartedError", result["duplicate"]!["name"]!.GetValue<string>());
        Assert.Equal("WorkflowFailedError", result["failed"]!["name"]!.GetValue<string>());
        Assert.Equal("ActivityFailure", result["failed"]!["cause"]!.GetValue<string>());
        Assert.Equal(("BadInput", "the input is wrong"), (result["failed"]!["causeType"]!.GetValue<string>(), result["failed"]!["causeMessage"]!.GetValue<string>()));
        Assert.Equal("Run", result["pendingActivity"]!["activityType"]!.GetValue<string>());
        Assert.Equal(("WorkflowFailedError", "CancelledFailure"), (result["cancelled"]!["name"]!.GetValue<string>(), result["cancelled"]!["cause"]!.GetValue<string>()));
        Assert.Equal("CANCELLED", result["cancelledStatus"]!.GetValue<string>());
        Assert.Equal(
            [("node-cancel", "CANCELLED"), ("node-fail", "FAILED"), ("node-ok", "COMPLETED")],
            result["listed"]!.AsArray().Select(w => (w!["id"]!.GetValue<string>(), w["status"]!.GetValue<string>())));
    }

    /// <summary>Runs `npm ci` in node/temporal once when the client is missing; one at a time, as the Slack client's install.</summary>
    private static async Task EnsurePackagesAsync()
    {
        await Install.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "@temporalio", "client")))
            {
                return;
            }
            var (code, output) = await NodeWebApiClientTests.RunAsync("npm", ["ci", "--prefix", "temporal", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"npm ci failed: {output}");
        }
        finally
        {
            Install.Release();
        }
    }
}
