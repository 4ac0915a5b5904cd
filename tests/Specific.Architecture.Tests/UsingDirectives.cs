using System.Text.RegularExpressions;

namespace Specific.Architecture.Tests;

/// <summary>Reads which folders a project's files import by their using lines.</summary>
/// <remarks>
/// Adds what compiled code cannot show: a constant from another folder is inlined and leaves no reference behind.
/// A using line that nothing needs is still an edge here; deleting it is the fix.
/// </remarks>
internal static partial class UsingDirectives
{
    public static IReadOnlyList<FolderEdge> Read(string project)
    {
        var edges = new List<FolderEdge>();
        foreach (var path in Repository.SourceFiles(Repository.ProjectDirectory(project)))
        {
            var text = File.ReadAllText(path);
            var from = Folders.Of(project, NamespaceLine().Match(text) is { Success: true } m ? m.Groups[1].Value : null);
            if (from is null)
            {
                continue;
            }

            foreach (Match directive in UsingLine().Matches(text))
            {
                var imported = directive.Groups[1].Value;
                if (Folders.Of(project, imported) is { } to && to != from)
                {
                    edges.Add(new FolderEdge(project, from, to, $"{Repository.Relative(path)}: using {imported};"));
                }
            }
        }

        return edges;
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
