using System.Globalization;
using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Controllers;

/// <summary>Records core/v1 Events the way client-go's recorder does, folding repeats into a count.</summary>
internal sealed class EventRecorder(ObjectStore store, SimulatorClock clock)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    private long _lastNanos;

    public void Record(IKubernetesObject<V1ObjectMeta> about, string type, string reason, string message, string component, string? host = null, string? fieldPath = null)
    {
        var now = clock.UtcNow;
        var meta = about.Metadata;
        var ns = meta.NamespaceProperty ?? "default";
        // The store indexes events by the object they are about; of those, only the likely ones are read in full.
        var existing = store.EventsAbout(ns, meta.Uid ?? "")
            .Where(e => e.Fields["reason"] == reason && e.Fields["type"] == type)
            .Select(e => e.To<Corev1Event>())
            .FirstOrDefault(e => e.InvolvedObject.Uid == meta.Uid && e.Reason == reason && e.Message == message && e.Type == type && e.Source?.Component == component);
        if (existing is not null)
        {
            store.Update<Corev1Event>(ns, existing.Metadata.Name, e =>
            {
                e.Count = (e.Count ?? 1) + 1;
                e.LastTimestamp = now;
                return true;
            });
            return;
        }

        // Names are <object>.<unix nanos in hex>; keep them unique when two events share a tick.
        var unixNanos = (now - DateTime.UnixEpoch).Ticks * 100;
        long last;
        do
        {
            last = Interlocked.Read(ref _lastNanos);
            unixNanos = Math.Max(unixNanos, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastNanos, unixNanos, last) != last);
        store.Create(new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = $"{meta.Name}.{unixNanos.ToString("x", CultureInfo.InvariantCulture)}", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = about.ApiVersion,
                Kind = about.Kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
                FieldPath = fieldPath,
            },
            Reason = reason,
            Message = message,
            Type = type,
            Source = new V1EventSource { Component = component, Host = host },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            ReportingComponent = component,
            ReportingInstance = host ?? "",
        });
    }
}
