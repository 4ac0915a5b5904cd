namespace Specific.JobsBot.Commands;

/// <summary>Finds the names a person probably meant ("wbe" → "web") by edit distance, for "Did you mean …?".</summary>
public static class ClosestNames
{
    /// <summary>Up to <paramref name="limit"/> candidates close to <paramref name="typed"/>, closest first.</summary>
    public static IReadOnlyList<string> Find(string typed, IEnumerable<string> candidates, int limit = 3)
    {
        var lowered = typed.ToLowerInvariant();
        // A third of the word may be wrong, and at least two edits are forgiven so short names still match.
        var allowed = Math.Max(2, lowered.Length / 3);
        return candidates
            .Select(name => (Name: name, Distance: Distance(lowered, name.ToLowerInvariant())))
            .Where(c => c.Distance <= allowed || IsAffix(lowered, c.Name))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => c.Name)
            .ToList();
    }

    private static bool IsAffix(string typed, string name) =>
        typed.Length >= 3 && (name.StartsWith(typed, StringComparison.OrdinalIgnoreCase) ||
                              typed.StartsWith(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swapped neighbours.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 256 || b.Length > 256)
        {
            // Pasted garbage is close to nothing; no need to spend a quadratic table on it.
            return Math.Max(a.Length, b.Length);
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
