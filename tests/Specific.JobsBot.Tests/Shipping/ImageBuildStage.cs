using System.Diagnostics;
using System.IO.Enumeration;
using System.Text;

namespace Specific.JobsBot.Tests.Shipping;

/// <summary>
/// The Dockerfile's build stage, run here without Docker (these machines have no engine): its COPY lines copy what
/// .dockerignore lets into the build context to a scratch /src, and its <c>dotnet</c> RUN lines run there as written,
/// publishing into a scratch /app. Once per test class, since a publish is slow.
/// </summary>
public sealed class ImageBuildStage : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("jobsbot-image-");

    /// <summary>The scratch folder that stands for the image's /app.</summary>
    public string App => Path.Combine(_scratch.FullName, "app");

    /// <summary>The dotnet commands of the build stage, as the Dockerfile writes them.</summary>
    public static IReadOnlyList<string> DotnetCommands => BuildStage()
        .Where(line => line.StartsWith("RUN dotnet ", StringComparison.Ordinal))
        .Select(line => line["RUN ".Length..])
        .ToList();

    public async ValueTask InitializeAsync()
    {
        var source = Path.Combine(_scratch.FullName, "src");
        foreach (var copy in BuildStage().Where(line => line.StartsWith("COPY ", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            Assert.DoesNotContain(parts, part => part.StartsWith("--", StringComparison.Ordinal));
            foreach (var from in parts[..^1])
            {
                CopyIntoContext(from, Path.Combine(source, parts[^1]));
            }
        }

        using var limit = new CancellationTokenSource(Limit);
        foreach (var command in DotnetCommands)
        {
            var arguments = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
                .Select(argument => argument == "/app" ? App : argument)
                .ToList();
            await RunDotnetAsync(arguments, source, limit.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _scratch.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> (and <paramref name="environment"/>); its exit code, standard output and error.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> DotnetAsync(
        IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Not the test host's MSBuild: a fresh one, and no build server left behind holding the output pipes open.
        foreach (var inherited in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static async Task RunDotnetAsync(IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var command = "dotnet " + string.Join(' ', arguments);
        try
        {
            var (exitCode, output, errors) = await DotnetAsync(arguments, workingDirectory, cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"The Dockerfile's `{command}` failed with exit code {exitCode}:\n{output}\n{errors}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Dockerfile's `{command}` did not end within {Limit.TotalMinutes} minutes.");
        }
    }

    /// <summary>The build stage's instructions: from the first FROM to the next, comments and blank lines left out.</summary>
    private static IEnumerable<string> BuildStage() => RepositoryFiles.Read("Dockerfile").Split('\n')
        .Select(line => line.Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .SkipWhile(line => !line.StartsWith("FROM ", StringComparison.Ordinal))
        .Skip(1)
        .TakeWhile(line => !line.StartsWith("FROM ", StringComparison.Ordinal));

    /// <summary>COPY of a file or a folder (trailing "/") from the build context: what .dockerignore keeps of it.</summary>
    private static void CopyIntoContext(string from, string to)
    {
        var path = RepositoryFiles.PathOf(from.TrimEnd('/'));
        if (File.Exists(path))
        {
            Directory.CreateDirectory(to);
            File.Copy(path, Path.Combine(to, Path.GetFileName(path)), overwrite: true);
            return;
        }

        var ignored = DockerIgnore();
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryFiles.Root, file).Replace('\\', '/');
            if (!ignored.Any(pattern => IsIgnored(relative, pattern)))
            {
                var target = Path.Combine(to, Path.GetRelativePath(path, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    private static List<string> DockerIgnore() => RepositoryFiles.Read(".dockerignore").Split('\n')
        .Select(line => line.Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .ToList();

    /// <summary>The .dockerignore patterns this repository uses: "**/name", "**/name/" and "path/" from the root.</summary>
    private static bool IsIgnored(string relative, string pattern)
    {
        var segments = relative.Split('/');
        if (pattern.StartsWith("**/", StringComparison.Ordinal))
        {
            var name = pattern["**/".Length..];
            return name.EndsWith('/')
                ? segments[..^1].Any(folder => FileSystemName.MatchesSimpleExpression(name.TrimEnd('/'), folder, ignoreCase: false))
                : FileSystemName.MatchesSimpleExpression(name, segments[^1], ignoreCase: false);
        }

        var rooted = pattern.TrimEnd('/');
        return relative == rooted || relative.StartsWith(rooted + "/", StringComparison.Ordinal);
    }

    /// <summary>For failure messages: what a folder holds, one name a line.</summary>
    public static string Listing(string folder) => new StringBuilder()
        .AppendJoin('\n', Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        .ToString();
}
