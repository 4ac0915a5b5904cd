using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>A Web API call's arguments, from a JSON body, a form body or the query string, read the way Slack reads them.</summary>
internal sealed class ApiArguments
{
    private readonly JsonObject _values;

    private ApiArguments(JsonObject values, string? token, bool missingCharset)
    {
        _values = values;
        Token = token;
        MissingCharset = missingCharset;
    }

    /// <summary>The bot token from the Authorization header, or from a form/query `token` field.</summary>
    public string? Token { get; }

    /// <summary>JSON was posted without `charset=utf-8`; Slack answers with a warning.</summary>
    public bool MissingCharset { get; }

    /// <summary>Reads the request; returns the Slack error for a body it cannot read.</summary>
    public static async Task<(ApiArguments? Arguments, string? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var values = new JsonObject();
        string? token = null;
        var missingCharset = false;
        foreach (var (key, value) in request.Query)
            values[key] = value.ToString();
        if (request.Query.TryGetValue("token", out var queryToken))
            token = queryToken.ToString();

        var contentType = request.ContentType ?? "";
        if (HttpMethods.IsPost(request.Method) && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            missingCharset = !contentType.Contains("charset", StringComparison.OrdinalIgnoreCase);
            try
            {
                var body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
                if (body is not JsonObject obj)
                    return (null, "invalid_json");
                foreach (var (key, value) in obj.ToList())
                {
                    obj.Remove(key);
                    if (key != "token") // Slack ignores a token inside a JSON body; it must come in the header
                        values[key] = value;
                }
            }
            catch (JsonException)
            {
                return (null, "invalid_json");
            }
        }
        else if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            foreach (var (key, value) in form)
                values[key] = value.ToString();
            if (form.TryGetValue("token", out var formToken))
                token = formToken.ToString();
        }
        else if (HttpMethods.IsPost(request.Method) && request.ContentLength > 0)
        {
            return (null, "invalid_form_data");
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = authorization["Bearer ".Length..].Trim();
        return (new ApiArguments(values, token, missingCharset), null);
    }

    public bool Has(string name) => _values[name] is not null;

    public string? String(string name) => _values[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        var other => other.ToJsonString(),
    };

    /// <summary>The argument's text, or null when it is missing or empty (Slack treats both alike).</summary>
    public string? NonEmpty(string name) => String(name) is { Length: > 0 } value ? value : null;

    public bool Bool(string name) => String(name) is "true" or "1" or "True";

    public int? Int(string name) =>
        int.TryParse(String(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A JSON-valued argument: a JSON body carries it as JSON, a form carries it as a JSON string.</summary>
    public (JsonNode? Value, bool Malformed) Json(string name)
    {
        var node = _values[name];
        if (node is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (string.IsNullOrWhiteSpace(text))
                return (null, false);
            try
            {
                return (JsonNode.Parse(text), false);
            }
            catch (JsonException)
            {
                return (null, true);
            }
        }
        return (node?.DeepClone(), false);
    }
}
