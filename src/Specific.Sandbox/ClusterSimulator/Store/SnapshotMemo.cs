namespace Specific.Sandbox.ClusterSimulator.Store;

/// <summary>
/// A value derived from each stored snapshot, computed once per snapshot: a controller pass then reads in full only
/// the objects that changed since the last pass. The values must be immutable; snapshots no longer stored are forgotten.
/// </summary>
internal sealed class SnapshotMemo<T>(Func<StoredObject, T> derive)
{
    private Dictionary<StoredObject, T> _values = new(ReferenceEqualityComparer.Instance);

    /// <summary>The value of each object, in order, reusing those computed for the same snapshot in the previous call.</summary>
    public IReadOnlyList<(StoredObject Object, T Value)> Of(IReadOnlyList<StoredObject> objects)
    {
        var values = new Dictionary<StoredObject, T>(objects.Count, ReferenceEqualityComparer.Instance);
        var result = new List<(StoredObject, T)>(objects.Count);
        foreach (var stored in objects)
        {
            var value = _values.TryGetValue(stored, out var known) ? known : derive(stored);
            values[stored] = value;
            result.Add((stored, value));
        }
        _values = values;
        return result;
    }
}
