using System.Diagnostics;
using System.Text;

namespace Specific.Sandbox.Tests.Cluster;

/// <summary>The real kubectl, run as a process against the simulator: get, describe and watch.</summary>
public sealed class KubectlTests
{
    private const string Kubectl = "/usr/bin/kubectl";

    [Fact]
    public async Task Get_lists_deployments_jobs_pods_and_events_in_all_namespaces_as_tables()
    {
        SkipWithoutKubectl();
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("listed", "echo hi"));
        await cluster.WaitForJobAsync("listed", TestCluster.IsFinished);

        var (exit, output, error) = await RunAsync(cluster, TimeSpan.FromSeconds(30), "get", "deployments,jobs,pods,events", "-A");

        Assert.True(exit == 0, error);
        Assert.Matches(@"NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", output);
        Assert.Matches(@"production\s+deployment.apps/web\s+2/2\s+2\s+2\s+", output);
        Assert.Matches(@"staging\s+deployment.apps/worker\s+1/1", output);
        Assert.Matches(@"NAMESPACE\s+NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE", output);
        Assert.Matches(@"production\s+job.batch/listed\s+Complete\s+1/1", output);
        Assert.Matches(@"production\s+pod/listed-\w{5}\s+0/1\s+Completed\s+0", output);
        Assert.Matches(@"production\s+pod/web-\w+-\w{5}\s+2/2\s+Running", output);
        Assert.Matches(@"NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", output);
        Assert.Matches(@"Normal\s+SuccessfulCreate\s+job/listed\s+Created pod: listed-", output);
    }

    [Fact]
    public async Task Describe_job_shows_its_spec_status_and_events()
    {
        SkipWithoutKubectl();
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateJobAsync(TestCluster.ShellJob("described", "exit 3"));
        await cluster.WaitForJobAsync("described", TestCluster.IsFinished);

        var (exit, output, error) = await RunAsync(cluster, TimeSpan.FromSeconds(30), "describe", "job", "described", "-n", TestCluster.Namespace);

        Assert.True(exit == 0, error);
        Assert.Matches(@"Name:\s+described", output);
        Assert.Matches(@"Backoff Limit:\s+0", output);
        Assert.Matches(@"Pods Statuses:\s+0 Active \(0 Ready\) / 0 Succeeded / 1 Failed", output);
        Assert.Matches(@"Command:\s+sh\s+-c\s+exit 3", output);
        Assert.Matches(@"Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit", output);
    }

    [Fact]
    public async Task Get_pods_watch_prints_a_new_pod_as_it_changes()
    {
        SkipWithoutKubectl();
        await using var cluster = await TestCluster.StartAsync();
        var output = new StringBuilder();
        var sawHeader = new TaskCompletionSource();
        using var kubectl = Start(cluster, "get", "pods", "-n", TestCluster.Namespace, "-w");
        kubectl.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.StartsWith("NAME", StringComparison.Ordinal) == true)
            {
                sawHeader.TrySetResult();
            }
        };
        kubectl.BeginOutputReadLine();
        kubectl.BeginErrorReadLine();
        try
        {
            await sawHeader.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            await cluster.CreateJobAsync(TestCluster.ShellJob("watched", "exit 0"));
            await cluster.WaitForJobAsync("watched", TestCluster.IsFinished);

            var deadline = Stopwatch.StartNew();
            while (!Snapshot(output).Contains("Completed", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            kubectl.Kill(entireProcessTree: true);
        }

        var seen = Snapshot(output);
        Assert.Matches(@"watched-\w{5}\s+0/1\s+Pending", seen);
        Assert.Matches(@"watched-\w{5}\s+0/1\s+Completed", seen);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void SkipWithoutKubectl()
    {
        if (!File.Exists(Kubectl))
        {
            Assert.Skip($"{Kubectl} is not installed");
        }
    }

    private static Process Start(TestCluster cluster, params string[] args)
    {
        var info = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No kubeconfig: only --server, as a newcomer would type it.
        info.Environment["KUBECONFIG"] = "/dev/null";
        info.ArgumentList.Add("--server");
        info.ArgumentList.Add(cluster.Simulator.BaseUrl.ToString().TrimEnd('/'));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(TestCluster cluster, TimeSpan timeout, params string[] args)
    {
        using var process = Start(cluster, args);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
