namespace Specific.Architecture.Tests;

/// <summary>Finds the checkout these tests run in: its root, its projects in src/, their files and compiled assemblies.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Src => Path.Combine(Root, "src");

    /// <summary>Every project directly under src/ that has a csproj of its own name.</summary>
    public static IReadOnlyList<string> Projects { get; } = Directory.GetDirectories(Path.Combine(Root, "src"))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Where(name => File.Exists(Path.Combine(Root, "src", name, name + ".csproj")))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string ProjectDirectory(string project) => Path.Combine(Src, project);

    public static string ProjectFile(string project) => Path.Combine(Src, project, project + ".csproj");

    /// <summary>The project's assembly as built beside these tests (the test project references every src project).</summary>
    public static string CompiledAssembly(string project)
    {
        var path = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException(
                $"{project}.dll is not beside the architecture tests: add a ProjectReference to src/{project} in " +
                "tests/Specific.Architecture.Tests/Specific.Architecture.Tests.csproj.");
    }

    /// <summary>The C# files under a directory, leaving out build output (bin/ and obj/).</summary>
    public static IEnumerable<string> SourceFiles(string directory) => Directory
        .EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
        .Where(path => !Path.GetRelativePath(directory, path).Split('/', '\\').Any(part => part is "bin" or "obj"))
        .Order(StringComparer.Ordinal);

    /// <summary>A path as the repository names it (src/...), also for the paths a PDB recorded on another machine.</summary>
    public static string Relative(string path)
    {
        var full = path.Replace('\\', '/');
        var root = Root.Replace('\\', '/').TrimEnd('/') + "/";
        if (full.StartsWith(root, StringComparison.Ordinal))
        {
            return full[root.Length..];
        }

        // A deterministic CI build maps the checkout to /_/.
        if (full.StartsWith("/_/", StringComparison.Ordinal))
        {
            return full[3..];
        }

        var src = full.LastIndexOf("/src/", StringComparison.Ordinal);
        return src >= 0 ? full[(src + 1)..] : full;
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

        throw new InvalidOperationException($"No Specific.JobsBot.sln above {AppContext.BaseDirectory}.");
    }
}
