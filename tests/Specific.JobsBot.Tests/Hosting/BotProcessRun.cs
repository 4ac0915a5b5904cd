using System.Diagnostics;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>What a bot process that ran to its end left behind: its exit code and what it printed.</summary>
public sealed record BotProcessExit(int ExitCode, string StandardError, string StandardOutput)
{
    /// <summary>Everything it printed, for asserting that no stack trace appeared anywhere.</summary>
    public string Printed => StandardError + StandardOutput;
}

/// <summary>Runs the bot's real entry point in a process of its own until it exits, as an operator would start it.</summary>
public static class BotProcessRun
{
    /// <summary>How long a bot that should refuse to start may take to do so on a loaded machine.</summary>
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts <c>Specific.JobsBot.dll bot</c> in production with <paramref name="environment"/> (minus the inherited
    /// variables named in <paramref name="removed"/>) and waits for it to exit; kills it when it does not.
    /// </summary>
    public static async Task<BotProcessExit> RunToExitAsync(
        IReadOnlyDictionary<string, string> environment, IEnumerable<string>? removed, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Specific.JobsBot.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("bot");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Bot__Url"] = "http://127.0.0.1:0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        foreach (var inherited in removed ?? [])
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ExitDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new BotProcessExit(process.ExitCode, await stderr, await stdout);
    }
}
