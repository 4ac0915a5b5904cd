using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>Writes a meta/v1 Status in the API server's field order (KubernetesClient's converter only reads Status).</summary>
internal static class StatusJson
{
    public static JsonObject ToJson(V1Status status)
    {
        var json = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = status.Status,
        };
        if (status.Message is not null) { json["message"] = status.Message; }
        if (status.Reason is not null) { json["reason"] = status.Reason; }
        if (status.Details is { } details)
        {
            var d = new JsonObject();
            if (details.Name is not null) { d["name"] = details.Name; }
            if (details.Group is not null) { d["group"] = details.Group; }
            if (details.Kind is not null) { d["kind"] = details.Kind; }
            if (details.Uid is not null) { d["uid"] = details.Uid; }
            if (details.Causes is { Count: > 0 } causes)
            {
                d["causes"] = new JsonArray([.. causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = c.Reason,
                    ["message"] = c.Message,
                    ["field"] = c.Field,
                })]);
            }
            json["details"] = d;
        }
        if (status.Code is { } code) { json["code"] = code; }
        return json;
    }

    /// <summary>Go's encoder writes quotes as \" (not \u0022); clients comparing messages see the same text.</summary>
    private static readonly JsonSerializerOptions GoLikeEscaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(V1Status status) => ToJson(status).ToJsonString(GoLikeEscaping);
}
