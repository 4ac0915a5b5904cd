using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Specific.EndToEnd.Tests.Host;

/// <summary>Temporal's official TypeScript client (@temporalio/client from npm), run with node from tests/Specific.EndToEnd.Tests/node.</summary>
public static class NodeTemporalClient
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the client's <c>describe()</c> says of a workflow: its status name (COMPLETED, CANCELLED, …), type and task queue.</summary>
    public static async Task<(string Status, string Type, string TaskQueue)> DescribeAsync(string address, string workflowId)
    {
        await EnsurePackagesAsync();
        var (code, output) = await RunAsync("node", ["describe-workflow.mjs", address, workflowId], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"node describe-workflow.mjs failed: {output}");
        var described = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        return (described["status"]!.GetValue<string>(), described["type"]!.GetValue<string>(), described["taskQueue"]!.GetValue<string>());
    }

    private static string Directory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "tests", "Specific.EndToEnd.Tests", "node");
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("No tests/Specific.EndToEnd.Tests/node above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>`npm ci` once when the client is missing; one at a time, since npm ci empties node_modules first.</summary>
    private static async Task EnsurePackagesAsync()
    {
        await Install.WaitAsync(Ct);
        try
        {
            if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@temporalio", "client")))
            {
                var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
                Assert.True(code == 0, $"npm ci failed: {output}");
            }
        }
        finally
        {
            Install.Release();
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
