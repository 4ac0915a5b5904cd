using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>GetSystemInfo and the one namespace, <c>default</c>, as a fresh dev server has it.</summary>
internal sealed class NamespaceService(string name)
{
    /// <summary>Stable for the stand-in's life, as a namespace id is.</summary>
    private readonly string _id = Guid.NewGuid().ToString();

    public static GetSystemInfoResponse GetSystemInfo() => new()
    {
        ServerVersion = "1.29.0-specific-standin",
        Capabilities = new GetSystemInfoResponse.Types.Capabilities
        {
            SignalAndQueryHeader = true,
            InternalErrorDifferentiation = true,
            ActivityFailureIncludeHeartbeat = true,
            EncodedFailureAttributes = true,
            UpsertMemo = true,
            // The SDK records its flags in WorkflowTaskCompleted events only when the server says it keeps them.
            SdkMetadata = true,
        },
    };

    /// <summary>Refuses every namespace but ours, as a server refuses one nobody registered.</summary>
    public void Require(string ns)
    {
        if (ns != name)
        {
            throw StandInErrors.NotFound($"Namespace {ns} is not found. The Temporal stand-in serves only the namespace \"{name}\".");
        }
    }

    public DescribeNamespaceResponse Describe(DescribeNamespaceRequest request)
    {
        Require(request.Namespace);
        return new DescribeNamespaceResponse { NamespaceInfo = Info(), Config = Config(), IsGlobalNamespace = false };
    }

    public ListNamespacesResponse List() =>
        new() { Namespaces = { new DescribeNamespaceResponse { NamespaceInfo = Info(), Config = Config() } } };

    private NamespaceInfo Info() => new()
    {
        Name = name,
        Id = _id,
        State = NamespaceState.Registered,
        Description = "The Temporal stand-in's only namespace",
        Capabilities = new NamespaceInfo.Types.Capabilities { EagerWorkflowStart = false, SyncUpdate = false, AsyncUpdate = false },
    };

    private static NamespaceConfig Config() => new() { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(1)) };
}
