using System.Text.Json.Nodes;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>Slack's external file upload: reserve an upload URL, then complete the upload into a channel.</summary>
internal sealed class FilesApi(SlackWorkspace workspace, SlackObjects objects)
{
    public ApiAnswer GetUploadUrl(ApiArguments args)
    {
        var filename = args.String("filename");
        var length = args.Int("length");
        if (string.IsNullOrEmpty(filename) || length is null or < 1)
            return ApiAnswer.Fail("invalid_arguments", [string.IsNullOrEmpty(filename) ? "[ERROR] missing required field: filename" : "[ERROR] missing required field: length"]);
        var (id, uploadUrl) = workspace.Files.Reserve(filename, length.Value);
        return ApiAnswer.Ok(new JsonObject { ["upload_url"] = uploadUrl.ToString(), ["file_id"] = id });
    }

    public ApiAnswer CompleteUpload(ApiArguments args)
    {
        var (node, malformed) = args.Json("files");
        if (malformed || node is not JsonArray { Count: > 0 } array)
            return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: files"]);
        var wanted = new List<(string, string?)>();
        foreach (var item in array)
        {
            if (item?["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
                return ApiAnswer.Fail("invalid_arguments", ["[ERROR] missing required field: id [json-pointer:/files]"]);
            wanted.Add((id, item["title"]?.GetValue<string>()));
        }
        var channel = args.NonEmpty("channel_id") ?? args.NonEmpty("channels");
        if (channel is not null && !SlackWorkspace.IsChannelId(channel))
            return ApiAnswer.Fail("channel_not_found");
        if (channel is not null && workspace.Directory.WriteRefusal(channel) is { } refused)
            return ApiAnswer.Fail(refused);
        var (files, missing) = workspace.Files.Complete(wanted, channel);
        if (missing is not null)
            return ApiAnswer.Fail("file_not_found");
        if (channel is not null)
        {
            var message = workspace.Post(channel, SlackWorkspace.BotUserId, SlackWorkspace.BotId, args.String("initial_comment") ?? "", null,
                args.NonEmpty("thread_ts"), broadcast: false, files);
            workspace.Files.AttachTo(files, channel, message.Ts);
        }
        return ApiAnswer.Ok(new JsonObject { ["files"] = new JsonArray(files.Select(f => (JsonNode)objects.File(f)).ToArray()) });
    }
}
