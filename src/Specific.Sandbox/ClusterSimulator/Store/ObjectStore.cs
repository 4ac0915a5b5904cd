using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;

namespace Specific.Sandbox.ClusterSimulator.Store;

/// <summary>A change to one object, numbered by the global resourceVersion at which it happened.</summary>
internal sealed record StoreEvent(long ResourceVersion, string Type, StoredObject Object, DateTime RecordedAt)
{
    public ResourceType Resource => Object.Type;

    public string Namespace => Object.Namespace;

    public string Json => Object.Json;
}

/// <summary>
/// The simulator's etcd: every object as an immutable snapshot (<see cref="StoredObject"/>), one global monotonically
/// increasing resourceVersion, and a bounded history of changes that watches resume from.
/// </summary>
internal sealed partial class ObjectStore(SimulatorClock clock, TimeSpan historyWindow)
{
    private readonly Lock _gate = new();
    // One immutable sorted map per resource: lists come out in namespace/name order without scanning other kinds,
    // and a reader takes the current map under the lock and walks it outside, so hundreds of lists never queue writers.
    private readonly Dictionary<ResourceType, ImmutableSortedDictionary<(string Namespace, string Name), StoredObject>> _objects =
        new(ResourceTypes.All.Select(t => KeyValuePair.Create(t, ImmutableSortedDictionary.Create<(string Namespace, string Name), StoredObject>(KeyOrder.Instance))));
    // Events by the object they are about: the recorder folds repeats into one event without scanning them all.
    private readonly Dictionary<(string Namespace, string Uid), SortedDictionary<string, StoredObject>> _eventsByObject = [];
    private readonly List<StoreEvent> _history = [];
    private readonly List<Subscription> _subscriptions = [];
    private long _resourceVersion = 1;
    private long _compactedThrough = 1;

    /// <summary>Raised after every write, outside the lock, so controllers can reconcile.</summary>
    public event Action? Changed;

    public long CurrentResourceVersion { get { lock (_gate) { return _resourceVersion; } } }

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Find(ResourceTypes.For<T>(), @namespace, name)?.To<T>();

    public string? GetJson(ResourceType type, string @namespace, string name) => Find(type, @namespace, name)?.Json;

    public StoredObject? Find(ResourceType type, string @namespace, string name)
    {
        lock (_gate)
        {
            return _objects[type].GetValueOrDefault((Scope(type, @namespace), name));
        }
    }

    /// <summary>Every object of one kind (optionally in one namespace) as fresh models; prefer <see cref="Snapshot"/> to filter first.</summary>
    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        [.. Snapshot(ResourceTypes.For<T>(), @namespace).Items.Select(o => o.To<T>())];

    /// <summary>A consistent snapshot of one resource, sorted by namespace and name, with the version it was read at.</summary>
    public (IReadOnlyList<StoredObject> Items, long ResourceVersion) Snapshot(ResourceType type, string? @namespace)
    {
        ImmutableSortedDictionary<(string Namespace, string Name), StoredObject> objects;
        long resourceVersion;
        lock (_gate)
        {
            (objects, resourceVersion) = (_objects[type], _resourceVersion);
        }
        return ([.. InNamespace(objects, @namespace)], resourceVersion);
    }

    /// <summary>The events in <paramref name="namespace"/> whose involvedObject.uid is <paramref name="uid"/>, by name.</summary>
    public IReadOnlyList<StoredObject> EventsAbout(string @namespace, string uid)
    {
        lock (_gate)
        {
            return _eventsByObject.TryGetValue((@namespace, uid), out var events) ? [.. events.Values] : [];
        }
    }

    /// <summary>The JSON of <see cref="Snapshot"/>.</summary>
    public (IReadOnlyList<string> Items, long ResourceVersion) ListJson(ResourceType type, string? @namespace)
    {
        var (items, resourceVersion) = Snapshot(type, @namespace);
        return ([.. items.Select(o => o.Json)], resourceVersion);
    }

    /// <summary>Stores a new object: assigns uid, creationTimestamp and resourceVersion; refuses a duplicate name.</summary>
    public T Create<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceTypes.All.FirstOrDefault(r => r.ModelType == obj.GetType())
            ?? throw new InvalidOperationException($"the simulator does not store {obj.GetType().Name}");
        StoreEvent change;
        lock (_gate)
        {
            var meta = obj.Metadata;
            var key = (Scope(type, meta.NamespaceProperty), meta.Name);
            if (_objects[type].ContainsKey(key))
            {
                throw ApiException.AlreadyExists(type, meta.Name);
            }
            meta.Uid ??= Guid.NewGuid().ToString();
            meta.CreationTimestamp ??= clock.UtcNow;
            meta.Generation ??= 1;
            if (!type.Namespaced) { meta.NamespaceProperty = null; }
            change = Write(type, key, obj, "ADDED");
        }
        Publish(change);
        return (T)change.Object.ToModel();
    }

    /// <summary>Replaces an object; when the caller sent a resourceVersion it must match the stored one (optimistic concurrency).</summary>
    public string Replace(ResourceType type, IKubernetesObject<V1ObjectMeta> obj)
    {
        StoreEvent change;
        lock (_gate)
        {
            var key = (Scope(type, obj.Metadata.NamespaceProperty), obj.Metadata.Name);
            if (!_objects[type].TryGetValue(key, out var stored))
            {
                throw ApiException.NotFound(type, obj.Metadata.Name);
            }
            var currentJson = stored.Json;
            var current = stored.ToModel();
            if (!string.IsNullOrEmpty(obj.Metadata.ResourceVersion) && obj.Metadata.ResourceVersion != current.Metadata.ResourceVersion)
            {
                throw ApiException.Conflict(type, obj.Metadata.Name);
            }
            obj.Metadata.Uid = current.Metadata.Uid;
            obj.Metadata.CreationTimestamp = current.Metadata.CreationTimestamp;
            // generation counts changes to the desired state (spec), as the API server's strategies do.
            var specChanged = JsonNode.Parse(currentJson)?["spec"]?.ToJsonString() != JsonNode.Parse(KubernetesJson.Serialize(obj))?["spec"]?.ToJsonString();
            obj.Metadata.Generation = (current.Metadata.Generation ?? 1) + (specChanged ? 1 : 0);
            obj.Metadata.DeletionTimestamp = current.Metadata.DeletionTimestamp;
            change = Write(type, key, obj, "MODIFIED");
        }
        Publish(change);
        return change.Json;
    }

    /// <summary>Read-modify-write under the lock; <paramref name="mutate"/> returns false to leave the object untouched.</summary>
    public T? Update<T>(string @namespace, string name, Func<T, bool> mutate) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceTypes.For<T>();
        StoreEvent change;
        lock (_gate)
        {
            var key = (Scope(type, @namespace), name);
            if (!_objects[type].TryGetValue(key, out var stored))
            {
                return null;
            }
            var obj = stored.To<T>();
            if (!mutate(obj))
            {
                return obj;
            }
            change = Write(type, key, obj, "MODIFIED");
        }
        Publish(change);
        return (T)change.Object.ToModel();
    }

    /// <summary>Marks an object as being deleted (graceful or foreground deletion in progress).</summary>
    public string? SetDeletionTimestamp(ResourceType type, string @namespace, string name, DateTime at)
    {
        StoreEvent change;
        lock (_gate)
        {
            var key = (Scope(type, @namespace), name);
            if (!_objects[type].TryGetValue(key, out var stored))
            {
                return null;
            }
            var obj = stored.ToModel();
            obj.Metadata.DeletionTimestamp ??= at;
            obj.Metadata.DeletionGracePeriodSeconds ??= 0;
            change = Write(type, key, obj, "MODIFIED");
        }
        Publish(change);
        return change.Json;
    }

    /// <summary>Removes an object for good; the DELETED event carries its last state at a new resourceVersion.</summary>
    public string? Remove(ResourceType type, string @namespace, string name)
    {
        StoreEvent change;
        lock (_gate)
        {
            var key = (Scope(type, @namespace), name);
            if (!_objects[type].TryGetValue(key, out var stored))
            {
                return null;
            }
            change = Write(type, key, stored.ToModel(), "DELETED");
        }
        Publish(change);
        return change.Json;
    }

    /// <summary>
    /// Starts a watch: the changes after <paramref name="fromResourceVersion"/> still in history, then live ones, of the
    /// objects <paramref name="selects"/> accepts. A version older than the retained history is refused the way etcd refuses it.
    /// </summary>
    public Subscription Watch(ResourceType type, string? @namespace, long? fromResourceVersion, Func<StoredObject, bool>? selects = null)
    {
        lock (_gate)
        {
            var subscription = new Subscription(this, type, @namespace, selects ?? (_ => true));
            if (fromResourceVersion is { } from)
            {
                if (from < _compactedThrough)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({_compactedThrough + 1})");
                }
                for (var i = FirstChangeAfter(from); i < _history.Count; i++)
                {
                    if (subscription.Matches(_history[i]))
                    {
                        subscription.Channel.Writer.TryWrite(_history[i]);
                    }
                }
            }
            else
            {
                // No version: the current state as synthetic ADDED events, then live changes.
                foreach (var current in InNamespace(_objects[type], @namespace).Select(o => new StoreEvent(_resourceVersion, "ADDED", o, clock.UtcNow)))
                {
                    if (subscription.Matches(current))
                    {
                        subscription.Channel.Writer.TryWrite(current);
                    }
                }
            }
            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Fault injection: end every open watch stream now.</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Channel.Writer.TryComplete();
            }
            _subscriptions.Clear();
        }
    }

    /// <summary>Fault injection: forget all history, as an etcd compaction does.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    /// <summary>Whether a list at an exact resourceVersion could still be served from history.</summary>
    public bool IsCompacted(long resourceVersion)
    {
        lock (_gate)
        {
            return resourceVersion < _compactedThrough;
        }
    }

    private StoreEvent Write(ResourceType type, (string Namespace, string Name) key, IKubernetesObject<V1ObjectMeta> obj, string eventType)
    {
        _resourceVersion++;
        obj.ApiVersion = type.ApiVersion;
        obj.Kind = type.Kind;
        obj.Metadata.ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        var json = KubernetesJson.Serialize(obj);
        if (type != ResourceTypes.ConfigMaps)
        {
            // metav1.Time has whole seconds on the wire; clients must not come to rely on finer stamps.
            json = FractionalSeconds().Replace(json, "\"$1Z\"");
        }
        var stored = StoredObject.Capture(type, obj, json);
        if (ReferenceEquals(type, ResourceTypes.Events))
        {
            IndexEvent(_objects[type].GetValueOrDefault(key), eventType == "DELETED" ? null : stored);
        }
        _objects[type] = eventType == "DELETED" ? _objects[type].Remove(key) : _objects[type].SetItem(key, stored);
        var change = new StoreEvent(_resourceVersion, eventType, stored, DateTime.UtcNow);
        _history.Add(change);
        TrimHistory(change.RecordedAt);
        foreach (var subscription in _subscriptions.Where(s => s.Matches(change)))
        {
            subscription.Channel.Writer.TryWrite(change);
        }
        return change;
    }

    private void IndexEvent(StoredObject? before, StoredObject? after)
    {
        if (before is not null && _eventsByObject.TryGetValue((before.Namespace, before.Fields["involvedObject.uid"]), out var previous))
        {
            previous.Remove(before.Name);
            if (previous.Count == 0)
            {
                _eventsByObject.Remove((before.Namespace, before.Fields["involvedObject.uid"]));
            }
        }
        if (after is not null)
        {
            var key = (after.Namespace, after.Fields["involvedObject.uid"]);
            if (!_eventsByObject.TryGetValue(key, out var events))
            {
                _eventsByObject[key] = events = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            }
            events[after.Name] = after;
        }
    }

    private void TrimHistory(DateTime now)
    {
        // Oldest first: stop at the first change still inside the window instead of scanning the whole history.
        var kept = _history.FindIndex(e => e.RecordedAt >= now - historyWindow);
        var expired = kept < 0 ? _history.Count : kept;
        if (expired > 0)
        {
            _compactedThrough = _history[expired - 1].ResourceVersion;
            _history.RemoveRange(0, expired);
        }
    }

    private void Publish(StoreEvent change) => Changed?.Invoke();

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    [GeneratedRegex(@"""(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d+Z""")]
    private static partial Regex FractionalSeconds();

    private static string Scope(ResourceType type, string? @namespace) => type.Namespaced ? @namespace ?? "" : "";

    /// <summary>The index of the first change after <paramref name="resourceVersion"/>: history is in version order, so a binary search.</summary>
    private int FirstChangeAfter(long resourceVersion)
    {
        var (low, high) = (0, _history.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            (low, high) = _history[middle].ResourceVersion <= resourceVersion ? (middle + 1, high) : (low, middle);
        }
        return low;
    }

    private static IEnumerable<StoredObject> InNamespace(ImmutableSortedDictionary<(string Namespace, string Name), StoredObject> objects, string? @namespace) =>
        @namespace is null ? objects.Values : objects.Values.Where(o => o.Namespace == @namespace);

    /// <summary>Namespace, then name, compared ordinally: the order lists are served in.</summary>
    private sealed class KeyOrder : IComparer<(string Namespace, string Name)>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare((string Namespace, string Name) x, (string Namespace, string Name) y) =>
            string.CompareOrdinal(x.Namespace, y.Namespace) is var byNamespace and not 0 ? byNamespace : string.CompareOrdinal(x.Name, y.Name);
    }

    /// <summary>One open watch: a channel of changes to the selected objects of one resource, optionally in one namespace.</summary>
    internal sealed class Subscription(ObjectStore store, ResourceType type, string? @namespace, Func<StoredObject, bool> selects) : IDisposable
    {
        public Channel<StoreEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StoreEvent>();

        // Selectors are applied here, while writing, so a watch wakes only for changes it will send.
        public bool Matches(StoreEvent change) =>
            ReferenceEquals(change.Resource, type) && (@namespace is null || change.Namespace == @namespace) && selects(change.Object);

        public void Dispose()
        {
            Channel.Writer.TryComplete();
            store.Unsubscribe(this);
        }
    }
}
