using System.Collections.Concurrent;

namespace Specific.Architecture.Tests;

/// <summary>A project's folders and the imports between them, from its compiled assembly and its using lines together.</summary>
internal sealed record ProjectDependencies(string Project, IReadOnlySet<string> Folders, IReadOnlyList<FolderEdge> Edges)
{
    private static readonly ConcurrentDictionary<string, Lazy<ProjectDependencies>> Cache = new(StringComparer.Ordinal);

    public static ProjectDependencies Of(string project) =>
        Cache.GetOrAdd(project, name => new Lazy<ProjectDependencies>(() => Read(name))).Value;

    private static ProjectDependencies Read(string project)
    {
        var (folders, compiled) = CompiledReferences.Read(project, Repository.CompiledAssembly(project));
        return new ProjectDependencies(project, folders, [.. compiled, .. UsingDirectives.Read(project)]);
    }
}
