using System.Text;

namespace Specific.Architecture.Tests;

/// <summary>The imports between the folders of one project, and the circles among them (strongly connected parts).</summary>
internal sealed class FolderGraph
{
    private const int EvidencePerEdge = 3;

    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    public FolderGraph(IEnumerable<FolderEdge> edges)
    {
        foreach (var edge in edges.Where(edge => edge.From != edge.To))
        {
            if (!_edges.TryGetValue(edge.From, out var targets))
            {
                _edges[edge.From] = targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            }

            if (!targets.TryGetValue(edge.To, out var evidence))
            {
                targets[edge.To] = evidence = new SortedSet<string>(StringComparer.Ordinal);
            }

            evidence.Add(edge.Evidence);
        }
    }

    /// <summary>Every group of two or more folders that reach each other, each sorted by name.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Circles()
    {
        var search = new Tarjan(this);
        foreach (var folder in _edges.Keys)
        {
            search.Visit(folder);
        }

        return search.Circles;
    }

    /// <summary>Says what the circle is, which edges make it up with the files that import, and what to do.</summary>
    public string Describe(string project, IReadOnlyList<string> circle)
    {
        var text = new StringBuilder();
        text.AppendLine($"{project}: the folders {string.Join(", ", circle)} import each other in a circle, e.g. {string.Join(" -> ", ShortestLoop(circle))}.");
        var members = circle.ToHashSet(StringComparer.Ordinal);
        foreach (var (from, targets) in _edges.Where(pair => members.Contains(pair.Key)))
        {
            foreach (var (to, evidence) in targets.Where(pair => members.Contains(pair.Key)))
            {
                text.AppendLine($"  {from} -> {to} ({evidence.Count} uses), e.g.");
                foreach (var use in evidence.Take(EvidencePerEdge))
                {
                    text.AppendLine($"    {use}");
                }
            }
        }

        text.Append("  What to do: make the edges point one way: move what both sides need into the lower folder, or let the " +
                    "lower folder declare an interface that the upper one implements (and drop using lines that nothing needs).");
        return text.ToString();
    }

    private IEnumerable<string> Targets(string folder) =>
        _edges.TryGetValue(folder, out var targets) ? targets.Keys : [];

    // Breadth-first from the circle's first folder back to itself, so the message shows one concrete loop.
    private List<string> ShortestLoop(IReadOnlyList<string> circle)
    {
        var members = circle.ToHashSet(StringComparer.Ordinal);
        var start = circle[0];
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var folder = queue.Dequeue();
            foreach (var next in Targets(folder).Where(members.Contains))
            {
                if (next == start)
                {
                    var loop = new List<string> { start };
                    for (var at = folder; at != start; at = cameFrom[at])
                    {
                        loop.Insert(1, at);
                    }

                    loop.Add(start);
                    return loop;
                }

                if (cameFrom.TryAdd(next, folder))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [.. circle];
    }

    /// <summary>Tarjan's strongly connected components; a folder graph is small, so recursion is fine.</summary>
    private sealed class Tarjan(FolderGraph graph)
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _low = new(StringComparer.Ordinal);
        private readonly Stack<string> _stack = new();
        private readonly HashSet<string> _onStack = new(StringComparer.Ordinal);

        public List<IReadOnlyList<string>> Circles { get; } = [];

        public void Visit(string folder)
        {
            if (_index.ContainsKey(folder))
            {
                return;
            }

            _index[folder] = _low[folder] = _index.Count;
            _stack.Push(folder);
            _onStack.Add(folder);
            foreach (var next in graph.Targets(folder))
            {
                if (!_index.ContainsKey(next))
                {
                    Visit(next);
                    _low[folder] = Math.Min(_low[folder], _low[next]);
                }
                else if (_onStack.Contains(next))
                {
                    _low[folder] = Math.Min(_low[folder], _index[next]);
                }
            }

            if (_low[folder] != _index[folder])
            {
                return;
            }

            var component = new List<string>();
            string member;
            do
            {
                member = _stack.Pop();
                _onStack.Remove(member);
                component.Add(member);
            }
            while (member != folder);

            if (component.Count > 1)
            {
                Circles.Add([.. component.Order(StringComparer.Ordinal)]);
            }
        }
    }
}
