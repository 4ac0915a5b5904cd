using System.Text.Json;
using Google.Protobuf;

namespace Specific.Sandbox.TemporalStandIn;

/// <summary>What a task token names: one attempt of one workflow or activity task of one run.</summary>
internal sealed record TaskToken(string WorkflowId, string RunId, long ScheduledEventId, int Attempt)
{
    public ByteString ToByteString() => ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>Reads a token this stand-in issued, or null when the bytes are not one (a token from another server).</summary>
    public static TaskToken? Parse(ByteString bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<TaskToken>(bytes.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
