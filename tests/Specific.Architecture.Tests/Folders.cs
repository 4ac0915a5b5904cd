namespace Specific.Architecture.Tests;

/// <summary>One import from a folder of a project to another folder of it, with where it was seen.</summary>
/// <param name="Evidence">The file and the use, e.g. "src/P/A/X.cs: P.A.X uses P.B.Y", so a failure can be acted on.</param>
internal sealed record FolderEdge(string Project, string From, string To, string Evidence);

/// <summary>Maps a namespace to its folder: the first name below the project (Specific.Jobs.Storage.Postgres is Storage).</summary>
internal static class Folders
{
    /// <summary>The folder of a namespace in a project, or null for the project root's own namespace or a foreign one.</summary>
    public static string? Of(string project, string? ns)
    {
        if (ns is null || !ns.StartsWith(project + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(project.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }
}
