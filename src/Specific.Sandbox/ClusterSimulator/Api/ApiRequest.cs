using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Specific.Sandbox.ClusterSimulator.Store;

namespace Specific.Sandbox.ClusterSimulator.Api;

/// <summary>What the API server reads from a request: its body, a resourceVersion, the watch flag and the selectors.</summary>
internal static class ApiRequest
{
    public static bool IsWatch(HttpRequest request) => request.Query["watch"].ToString() is "true" or "1";

    public static long? ParseResourceVersion(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return long.TryParse(value, CultureInfo.InvariantCulture, out var rv) && rv >= 0
            ? rv
            : throw ApiException.BadRequest($"invalid resource version: {value}");
    }

    public static List<string> Filter(ResourceType type, IEnumerable<StoredObject> items, string? labelSelector, string? fieldSelector)
    {
        var selects = Selects(type, labelSelector, fieldSelector);
        return [.. items.Where(selects).Select(o => o.Json)];
    }

    public static Func<StoredObject, bool> Selects(ResourceType type, string? labelSelector, string? fieldSelector)
    {
        var labels = LabelSelector.Parse(labelSelector);
        var fields = FieldSelector.Parse(fieldSelector, type);
        return o => labels.Matches(o.Labels) && fields.Matches(o.Fields);
    }

    public static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }
}
