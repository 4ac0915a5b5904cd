using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;

namespace Specific.Sandbox.ClusterSimulator.Store;

/// <summary>A change to one object, numbered by the global resourceVersion at which it happened.</summary>
internal sealed record StoreEvent(long ResourceVersion, string Type, ResourceType Resource, string Namespace, string Name, string Json, DateTime RecordedAt);

/// <summary>
/// The simulator's etcd: every object as an immutable JSON snapshot, one global monotonically increasing
/// resourceVersion, and a bounded history of changes that watches resume from.
/// </summary>
internal sealed partial class ObjectStore(SimulatorClock clock, TimeSpan historyWindow)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(ResourceType Type, string Namespace, string Name), string> _objects = [];
    private readonly List<StoreEvent> _history = [];
    private readonly List<Subscription> _subscriptions = [];
    private long _resourceVersion = 1;
    private long _compactedThrough = 1;

    /// <summary>Raised after every write, outside the lock, so controllers can reconcile.</summary>
    public event Action? Changed;

    public long CurrentResourceVersion { get { lock (_gate) { return _resourceVersion; } } }

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceTypes.For<T>();
        lock (_gate)
        {
            return _objects.TryGetValue((type, Scope(type, @namespace), name), out var json) ? KubernetesJson.Deserialize<T>(json) : null;
        }
    }

    public string? GetJson(ResourceType type, string @namespace, string name)
    {
        lock (_gate)
        {
            return _objects.GetValueOrDefault((type, Scope(type, @namespace), name));
        }
    }

    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceTypes.For<T>();
        return [.. ListJson(type, @namespace).Items.Select(json => KubernetesJson.Deserialize<T>(json))];
    }

    /// <summary>A consistent snapshot of one resource, sorted by namespace and name, with the version it was read at.</summary>
    public (IReadOnlyList<string> Items, long ResourceVersion) ListJson(ResourceType type, string? @namespace)
    {
        lock (_gate)
        {
            var items = _objects
                .Where(o => o.Key.Type == type && (@namespace is null || o.Key.Namespace == @namespace))
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => o.Value)
                .ToList();
            return (items, _resourceVersion);
        }
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
            var key = (type, Scope(type, meta.NamespaceProperty), meta.Name);
            if (_objects.ContainsKey(key))
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
        return (T)type.Deserialize(change.Json);
    }

    /// <summary>Replaces an object; when the caller sent a resourceVersion it must match the stored one (optimistic concurrency).</summary>
    public string Replace(ResourceType type, IKubernetesObject<V1ObjectMeta> obj)
    {
        StoreEvent change;
        lock (_gate)
        {
            var key = (type, Scope(type, obj.Metadata.NamespaceProperty), obj.Metadata.Name);
            if (!_objects.TryGetValue(key, out var currentJson))
            {
                throw ApiException.NotFound(type, obj.Metadata.Name);
            }
            var current = type.Deserialize(currentJson);
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
            var key = (type, Scope(type, @namespace), name);
            if (!_objects.TryGetValue(key, out var json))
            {
                return null;
            }
            var obj = KubernetesJson.Deserialize<T>(json);
            if (!mutate(obj))
            {
                return obj;
            }
            change = Write(type, key, obj, "MODIFIED");
        }
        Publish(change);
        return (T)type.Deserialize(change.Json);
    }

    /// <summary>Marks an object as being deleted (graceful or foreground deletion in progress).</summary>
    public string? SetDeletionTimestamp(ResourceType type, string @namespace, string name, DateTime at)
    {
        StoreEvent change;
        lock (_gate)
        {
            var key = (type, Scope(type, @namespace), name);
            if (!_objects.TryGetValue(key, out var json))
            {
                return null;
            }
            var obj = type.Deserialize(json);
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
            var key = (type, Scope(type, @namespace), name);
            if (!_objects.TryGetValue(key, out var json))
            {
                return null;
            }
            var obj = type.Deserialize(json);
            change = Write(type, key, obj, "DELETED");
            _objects.Remove(key);
        }
        Publish(change);
        return change.Json;
    }

    /// <summary>
    /// Starts a watch: the changes after <paramref name="fromResourceVersion"/> still in history, then live ones.
    /// A version older than the retained history is refused the way etcd refuses it.
    /// </summary>
    public Subscription Watch(ResourceType type, string? @namespace, long? fromResourceVersion)
    {
        lock (_gate)
        {
            var subscription = new Subscription(this, type, @namespace);
            if (fromResourceVersion is { } from)
            {
                if (from < _compactedThrough)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({_compactedThrough + 1})");
                }
                foreach (var past in _history.Where(e => e.ResourceVersion > from && subscription.Matches(e)))
                {
                    subscription.Channel.Writer.TryWrite(past);
                }
            }
            else
            {
                // No version: the current state as synthetic ADDED events, then live changes.
                foreach (var (key, json) in _objects.Where(o => o.Key.Type == type && (@namespace is null || o.Key.Namespace == @namespace))
                             .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal))
                {
                    subscription.Channel.Writer.TryWrite(new StoreEvent(_resourceVersion, "ADDED", type, key.Namespace, key.Name, json, clock.UtcNow));
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

    private StoreEvent Write(ResourceType type, (ResourceType, string, string) key, IKubernetesObject<V1ObjectMeta> obj, string eventType)
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
        if (eventType != "DELETED")
        {
            _objects[key] = json;
        }
        var change = new StoreEvent(_resourceVersion, eventType, type, key.Item2, key.Item3, json, DateTime.UtcNow);
        _history.Add(change);
        TrimHistory(change.RecordedAt);
        foreach (var subscription in _subscriptions.Where(s => s.Matches(change)))
        {
            subscription.Channel.Writer.TryWrite(change);
        }
        return change;
    }

    private void TrimHistory(DateTime now)
    {
        var expired = _history.FindLastIndex(e => e.RecordedAt < now - historyWindow);
        if (expired >= 0)
        {
            _compactedThrough = _history[expired].ResourceVersion;
            _history.RemoveRange(0, expired + 1);
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

    /// <summary>One open watch: a channel of changes to one resource, optionally in one namespace.</summary>
    internal sealed class Subscription(ObjectStore store, ResourceType type, string? @namespace) : IDisposable
    {
        public Channel<StoreEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StoreEvent>();

        public bool Matches(StoreEvent change) => change.Resource == type && (@namespace is null || change.Namespace == @namespace);

        public void Dispose()
        {
            Channel.Writer.TryComplete();
            store.Unsubscribe(this);
        }
    }
}
