using k8s;
using k8s.Models;
using Specific.Sandbox.ClusterSimulator.Api;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Manifests;

/// <summary>Loads multi-document YAML into the store through the same admission as a POST, creating namespaces on the way.</summary>
internal sealed class ManifestLoader(ObjectStore store)
{
    public void Apply(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, strict: true)
            .Where(o => o is not null)
            .Cast<IKubernetesObject<V1ObjectMeta>>()
            .ToList();
        // Namespaces first, so later documents can land in them whatever the file's order.
        foreach (var obj in objects.OrderBy(o => o is V1Namespace ? 0 : 1))
        {
            var type = ResourceTypes.FindByKind(obj.ApiVersion, obj.Kind)
                ?? throw new NotSupportedException($"the cluster simulator does not serve {obj.ApiVersion} {obj.Kind}");
            obj.Metadata ??= new V1ObjectMeta();
            if (type.Namespaced)
            {
                var ns = obj.Metadata.NamespaceProperty ??= "default";
                EnsureNamespace(ns);
            }
            Admission.AdmitCreate(type, obj);
            if (store.GetJson(type, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name) is not null)
            {
                obj.Metadata.ResourceVersion = null;
                store.Replace(type, obj);
            }
            else
            {
                store.Create(obj);
            }
        }
    }

    public void EnsureNamespace(string name)
    {
        if (store.GetJson(ResourceTypes.Namespaces, "", name) is null)
        {
            var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } };
            Admission.AdmitCreate(ResourceTypes.Namespaces, ns);
            store.Create(ns);
        }
    }
}
