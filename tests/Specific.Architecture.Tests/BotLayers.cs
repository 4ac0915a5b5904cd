namespace Specific.Architecture.Tests;

/// <summary>The layer order of the bot's folders: who may import whom in src/Specific.JobsBot.</summary>
internal static class BotLayers
{
    public const string Project = "Specific.JobsBot";

    /// <summary>The composition root: it may import every folder and no folder imports it (the root Program.cs may).</summary>
    public const string CompositionRoot = "Hosting";

    /// <summary>Top to bottom. A folder imports only folders in lower rows; folders in one row may import each other one way.</summary>
    /// <remarks>A layer that has no folder yet is simply empty: the rule only judges the folders that exist.</remarks>
    public static readonly IReadOnlyList<IReadOnlyList<string>> Order =
    [
        ["FrontDoor"],
        ["Work"],
        ["Commands", "Interactions", "Threads", "Runs", "Approvals", "Home"],
        ["Guardrails"],
    ];

    /// <summary>Folders outside the order: only the circle rule and "nothing imports Hosting" judge them.</summary>
    public static readonly IReadOnlySet<string> Unplaced = new HashSet<string>(StringComparer.Ordinal) { "Observability" };

    private const int EvidencePerEdge = 3;

    /// <summary>Every import against the order and every folder the order does not know, each with what to do.</summary>
    public static IReadOnlyList<string> Violations(IEnumerable<string> folders, IEnumerable<FolderEdge> edges)
    {
        var violations = new List<string>();
        foreach (var folder in folders.Distinct().Order(StringComparer.Ordinal).Where(f => f != CompositionRoot && !Unplaced.Contains(f) && Row(f) < 0))
        {
            violations.Add($"{Project}: the folder {folder} has no place in the layer order. What to do: add it to a row of " +
                           "BotLayers.Order (tests/Specific.Architecture.Tests/BotLayers.cs) or move its files into a folder that has one.");
        }

        var byImport = edges
            .Where(edge => edge.From != edge.To)
            .GroupBy(edge => (edge.From, edge.To))
            .OrderBy(group => group.Key.From, StringComparer.Ordinal)
            .ThenBy(group => group.Key.To, StringComparer.Ordinal);
        foreach (var import in byImport)
        {
            var (from, to) = import.Key;
            if (Judge(from, to) is { } problem)
            {
                var uses = import.Select(edge => edge.Evidence).Distinct().Order(StringComparer.Ordinal).ToList();
                violations.Add($"{Project}: {from} imports {to} ({uses.Count} uses), e.g.\n" +
                               string.Concat(uses.Take(EvidencePerEdge).Select(use => $"    {use}\n")) +
                               $"  {problem}");
            }
        }

        return violations;
    }

    private static string? Judge(string from, string to)
    {
        if (from == CompositionRoot)
        {
            return null;
        }

        // Unplaced folders included: no folder at all imports the composition root.
        if (to == CompositionRoot)
        {
            return $"{CompositionRoot} is the composition root and no folder imports it. What to do: move what {from} needs " +
                   $"out of {CompositionRoot} into {from} or a folder below it, and let {CompositionRoot} wire it up.";
        }

        if (Unplaced.Contains(from) || Unplaced.Contains(to))
        {
            return null;
        }

        var (fromRow, toRow) = (Row(from), Row(to));
        if (fromRow < 0 || toRow < 0 || fromRow <= toRow)
        {
            return null;
        }

        return $"{to} is above {from} in the layer order ({string.Join(" > ", Order.Select(row => string.Join("|", row)))}). " +
               $"What to do: move what {from} needs down into {from} or below, or let {from} declare an interface that {to} implements.";
    }

    private static int Row(string folder)
    {
        for (var row = 0; row < Order.Count; row++)
        {
            if (Order[row].Contains(folder))
            {
                return row;
            }
        }

        return -1;
    }
}
