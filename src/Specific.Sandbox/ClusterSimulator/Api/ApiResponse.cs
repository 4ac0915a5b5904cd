using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>How the API server answers: raw and compact JSON bodies, Status objects, and the lines of a stream.</summary>
internal static class ApiResponse
{
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteLineAsync(HttpContext context, string line, CancellationToken cancellationToken)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    public static Task WriteStatusAsync(HttpContext context, V1Status status) =>
        WriteRawAsync(context, status.Code ?? 500, StatusJson.Serialize(status));

    public static Task WriteJsonAsync(HttpContext context, int code, JsonNode node) => WriteRawAsync(context, code, node.ToJsonString(Compact));

    public static async Task WriteRawAsync(HttpContext context, int code, string json)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }
}
