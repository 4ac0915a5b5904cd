using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.ErrorDetails.V1;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>The gRPC errors the stand-in answers with, shaped as a Temporal frontend shapes them.</summary>
internal static class StandInErrors
{
    /// <summary>The trailer that carries a google.rpc.Status with typed details, which the SDKs read for the failure kind.</summary>
    private const string StatusDetailsTrailer = "grpc-status-details-bin";

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));

    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException Unimplemented(string method) => new(new Status(
        StatusCode.Unimplemented,
        $"WorkflowService/{method} is not implemented by the Temporal stand-in; see src/Specific.Sandbox/TemporalStandIn/README.md for what is."));

    /// <summary>AlreadyExists with WorkflowExecutionAlreadyStartedFailure details, so clients raise their already-started error.</summary>
    public static RpcException AlreadyStarted(string workflowId, string runId, string startRequestId)
    {
        var message = $"Workflow execution is already running or was already started. WorkflowId: {workflowId}, RunId: {runId}.";
        var failure = new WorkflowExecutionAlreadyStartedFailure { RunId = runId, StartRequestId = startRequestId };
        var trailers = new Metadata { { StatusDetailsTrailer, EncodeStatus(StatusCode.AlreadyExists, message, Any.Pack(failure)) } };
        return new RpcException(new Status(StatusCode.AlreadyExists, message), trailers);
    }

    /// <summary>google.rpc.Status by hand (code = 1, message = 2, details = 3): the type itself is not in any package we ship.</summary>
    private static byte[] EncodeStatus(StatusCode code, string message, Any detail)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32((int)code);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(message);
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteMessage(detail);
        output.Flush();
        return buffer.ToArray();
    }
}
