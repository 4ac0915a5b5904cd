using System.Diagnostics;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>Finds the shipped files (slack-app.yml, manifests/, Dockerfile) from the test's output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>The C# sources of a project, without build output.</summary>
    public static IEnumerable<string> SourcesOf(string project) =>
        Directory.EnumerateFiles(PathOf("src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>Runs <c>kubectl kustomize</c> on a folder; null when kubectl is not installed.</summary>
    public static async Task<string?> KustomizeAsync(string folder, CancellationToken cancellationToken)
    {
        var kubectl = new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl" }.FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            return null;
        }

        var start = new ProcessStartInfo(kubectl, ["kustomize", PathOf(folder)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {folder} failed: {await errors}");
        return await output;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Specific.JobsBot.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Specific.JobsBot.sln above {AppContext.BaseDirectory}");
    }
}
