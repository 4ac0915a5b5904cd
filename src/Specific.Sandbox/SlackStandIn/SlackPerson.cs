using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Specific.Sandbox.SlackStandIn;

/// <summary>
/// Slack's client side: what Slack sends the bot when a person types a slash command, clicks a button or
/// submits a modal, and how Slack honours the bot's answer.
/// </summary>
internal sealed partial class SlackPerson(SlackWorkspace workspace, SlackWebApi api, HttpClient http, SocketModeServer socketMode, ILogger logger)
{
    public const string CommandsPath = "slack/commands";
    public const string InteractionsPath = "slack/interactions";
    public const string VerificationToken = "sandbox-verification-token";
    public const string SlackbotSource = "slackbot";

    private SlackStandInOptions Options => workspace.Options;

    public async Task<SlashCommandResult> RunSlashCommandAsync(string userId, string channelId, string text, CancellationToken ct)
    {
        var triggerId = workspace.Views.IssueTrigger(userId);
        var responseUrl = workspace.IssueResponseUrl(userId, channelId, originalTs: null, originalIsEphemeral: true, threadTs: null);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("token", VerificationToken),
            new("team_id", Options.TeamId),
            new("team_domain", Options.TeamDomain),
            new("enterprise_id", ""),
            new("channel_id", channelId),
            new("channel_name", workspace.ChannelName(channelId)),
            new("user_id", userId),
            new("user_name", SandboxUsers.NameOf(userId)),
            new("command", Options.Command),
            new("text", text),
            new("api_app_id", Options.ApiAppId),
            new("is_enterprise_install", "false"),
            new("response_url", responseUrl.ToString()),
            new("trigger_id", triggerId),
        };
        var what = $"slash command {Options.Command} {text}";
        var sent = await SendAsync(CommandsPath, fields, what, ct);
        if (sent.Error is not null)
        {
            ShowSlackbotError(userId, channelId, $"{Options.Command} failed with the error \"{sent.Error}\"");
            return new SlashCommandResult(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, triggerId, responseUrl, null, null, sent.Error);
        }
        if (string.IsNullOrWhiteSpace(sent.Body))
            return new SlashCommandResult(sent.Status, sent.Body, sent.Elapsed, false, triggerId, responseUrl, null, null, null);

        var reply = ParseReply(sent.Body, sent.IsJson);
        if (reply.Error is not null)
        {
            ShowSlackbotError(userId, channelId, $"{Options.Command} failed with the error \"{reply.Error}\"");
            return new SlashCommandResult(sent.Status, sent.Body, sent.Elapsed, false, triggerId, responseUrl, null, null, reply.Error);
        }
        if (reply.InChannel)
        {
            var message = workspace.Post(channelId, SlackWorkspace.BotUserId, SlackWorkspace.BotId, reply.Text, reply.Blocks, null, false);
            return new SlashCommandResult(sent.Status, sent.Body, sent.Elapsed, false, triggerId, responseUrl, null, message, null);
        }
        var ephemeral = workspace.PostEphemeral(userId, channelId, null, reply.Text, reply.Blocks, "slash_command_reply");
        return new SlashCommandResult(sent.Status, sent.Body, sent.Elapsed, false, triggerId, responseUrl, ephemeral, null, null);
    }

    public async Task<InteractionResult> ClickButtonAsync(string userId, string channelId, string messageTs, string actionId, CancellationToken ct)
    {
        var message = workspace.Find(channelId, messageTs);
        var ephemeral = message is null ? workspace.FindEphemeral(userId, messageTs) : null;
        var blocks = message?.Blocks ?? ephemeral?.Blocks
            ?? throw new InvalidOperationException($"No message {messageTs} in {channelId} that {userId} can see.");
        var (block, element) = FindAction(blocks, actionId)
            ?? throw new InvalidOperationException($"Message {messageTs} has no element with action_id {actionId}.");

        var triggerId = workspace.Views.IssueTrigger(userId);
        var threadTs = message?.ThreadTs ?? ephemeral?.ThreadTs;
        var responseUrl = workspace.IssueResponseUrl(userId, channelId, messageTs, originalIsEphemeral: ephemeral is not null, threadTs);
        var action = new JsonObject
        {
            ["type"] = element["type"]?.DeepClone(),
            ["block_id"] = block["block_id"]?.DeepClone(),
            ["action_id"] = actionId,
            ["text"] = element["text"]?.DeepClone(),
            ["action_ts"] = workspace.NextTs(),
        };
        if (element["value"] is { } value)
            action["value"] = value.DeepClone();
        if (element["style"] is { } style)
            action["style"] = style.DeepClone();
        var container = new JsonObject
        {
            ["type"] = "message",
            ["message_ts"] = messageTs,
            ["channel_id"] = channelId,
            ["is_ephemeral"] = ephemeral is not null,
        };
        if (threadTs is not null)
            container["thread_ts"] = threadTs;
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = UserJson(userId),
            ["api_app_id"] = Options.ApiAppId,
            ["token"] = VerificationToken,
            ["container"] = container,
            ["trigger_id"] = triggerId,
            ["team"] = new JsonObject { ["id"] = Options.TeamId, ["domain"] = Options.TeamDomain },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["channel"] = new JsonObject { ["id"] = channelId, ["name"] = workspace.ChannelName(channelId) },
            ["state"] = new JsonObject { ["values"] = new JsonObject() },
            ["response_url"] = responseUrl.ToString(),
            ["actions"] = new JsonArray(action),
        };
        if (message is not null)
            payload["message"] = api.Objects.Message(message);

        var sent = await SendAsync(InteractionsPath, [new("payload", payload.ToJsonString())], $"block_actions {actionId} on {messageTs}", ct);
        return new InteractionResult(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, triggerId, responseUrl, sent.Error);
    }

    public async Task<ViewSubmissionResult> SubmitViewAsync(string userId, string viewId, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values, CancellationToken ct)
    {
        var view = workspace.Views.Find(viewId, null);
        if (view is null || view.UserId != userId)
            throw new InvalidOperationException($"{userId} has no open view {viewId}.");
        var viewJson = JsonNode.Parse(view.View.GetRawText())!.AsObject();
        var (state, clientErrors) = BuildState(viewJson["blocks"] as JsonArray, values);
        if (clientErrors.Count > 0)
        {
            // Slack checks required fields and lengths in the client; the bot never hears of it.
            workspace.Views.SetErrors(view.Id, clientErrors);
            return new ViewSubmissionResult(null, "", TimeSpan.Zero, false, null, clientErrors, workspace.Views.Top(userId), "client_validation");
        }
        var payload = new JsonObject
        {
            ["type"] = "view_submission",
            ["team"] = new JsonObject { ["id"] = Options.TeamId, ["domain"] = Options.TeamDomain },
            ["user"] = UserJson(userId),
            ["api_app_id"] = Options.ApiAppId,
            ["token"] = VerificationToken,
            ["trigger_id"] = workspace.Views.IssueTrigger(userId),
            ["view"] = workspace.Views.Json(view, state),
            ["response_urls"] = new JsonArray(),
            ["is_enterprise_install"] = false,
            ["enterprise"] = null,
        };
        var sent = await SendAsync(InteractionsPath, [new("payload", payload.ToJsonString())], $"view_submission {view.CallbackId}", ct);
        var noErrors = new Dictionary<string, string>();
        if (sent.Error is not null)
            return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, sent.MissedDeadline, null, noErrors, workspace.Views.Top(userId), sent.Error);
        if (string.IsNullOrWhiteSpace(sent.Body))
        {
            workspace.Views.Close(userId, view.Id, all: false);
            return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, false, null, noErrors, workspace.Views.Top(userId), null);
        }
        return ApplyResponseAction(userId, view, sent);
    }

    private ViewSubmissionResult ApplyResponseAction(string userId, StandInView view, Sent sent)
    {
        var noErrors = new Dictionary<string, string>();
        ViewSubmissionResult Fail(string error, string? action) =>
            new(sent.Status, sent.Body, sent.Elapsed, false, action, noErrors, workspace.Views.Top(userId), error);

        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(sent.Body) as JsonObject;
        }
        catch (JsonException)
        {
            answer = null;
        }
        if (answer is null)
            return Fail("invalid_response", null);
        var action = answer["response_action"] is JsonValue a && a.TryGetValue<string>(out var s) ? s : null;
        switch (action)
        {
            case "errors":
                if (answer["errors"] is not JsonObject errorsJson || errorsJson.Count == 0)
                    return Fail("invalid_response_action", action);
                var inputBlockIds = InputBlockIds(view);
                var errors = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (blockId, message) in errorsJson)
                {
                    if (!inputBlockIds.Contains(blockId) || message is not JsonValue mv || !mv.TryGetValue<string>(out var text))
                        return Fail("invalid_response_action", action); // Slack shows errors only on input blocks
                    errors[blockId] = text;
                }
                workspace.Views.SetErrors(view.Id, errors);
                return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, false, action, errors, workspace.Views.Top(userId), null);
            case "update":
            case "push":
                if (answer["view"] is not { } newView)
                    return Fail("invalid_response_action", action);
                var (checkedView, problem) = ViewsApi.CheckView(newView.DeepClone());
                if (problem is not null)
                {
                    logger.LogWarning("The bot answered a view_submission with an invalid view: {Problem}", problem.Body.ToJsonString());
                    return Fail(problem.Error ?? "invalid_arguments", action);
                }
                if (action == "update")
                {
                    workspace.Views.Update(view.Id, null, null, checkedView!);
                }
                else
                {
                    if (workspace.Views.Depth(userId) >= SlackWorkspace.MaxViewStack)
                        return Fail("push_limit_reached", action);
                    workspace.Views.Open(userId, checkedView!, push: true);
                }
                return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, false, action, noErrors, workspace.Views.Top(userId), null);
            case "clear":
                workspace.Views.Close(userId, view.Id, all: true);
                return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, false, action, noErrors, null, null);
            case null when answer.Count == 0:
                workspace.Views.Close(userId, view.Id, all: false);
                return new ViewSubmissionResult(sent.Status, sent.Body, sent.Elapsed, false, null, noErrors, workspace.Views.Top(userId), null);
            default:
                return Fail("invalid_response_action", action);
        }
    }

    /// <summary>Closes a modal as the person's "Cancel" would.</summary>
    public void CloseView(string userId, string viewId) => workspace.Views.Close(userId, viewId, all: false);

    private static HashSet<string> InputBlockIds(StandInView view)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (view.View.TryGetProperty("blocks", out var blocks))
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (block.TryGetProperty("type", out var type) && type.GetString() == "input" && block.TryGetProperty("block_id", out var id))
                    ids.Add(id.GetString()!);
            }
        }
        return ids;
    }

    /// <summary>state.values for the view's input blocks, and the errors Slack's client shows before sending.</summary>
    internal static (JsonObject State, Dictionary<string, string> Errors) BuildState(JsonArray? blocks, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values)
    {
        var state = new JsonObject();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var block in (blocks ?? []).OfType<JsonObject>().Where(b => BlockKitRules.TypeOf(b) == "input"))
        {
            var blockId = block["block_id"]!.GetValue<string>();
            var element = block["element"]!.AsObject();
            var actionId = element["action_id"]!.GetValue<string>();
            var type = BlockKitRules.TypeOf(element)!;
            var given = values.TryGetValue(blockId, out var byAction) && byAction.TryGetValue(actionId, out var v) && !string.IsNullOrEmpty(v) ? v : null;
            var optional = block["optional"] is JsonValue o && o.TryGetValue<bool>(out var isOptional) && isOptional;
            if (given is null && !optional)
                errors[blockId] = "Please fill out this required field.";
            var entry = new JsonObject { ["type"] = type };
            switch (type)
            {
                case "static_select" or "radio_buttons":
                    var option = given is null ? null : FindOption(element, given);
                    if (given is not null && option is null)
                        errors[blockId] = "Please pick one of the options.";
                    entry["selected_option"] = option;
                    break;
                case "multi_static_select" or "checkboxes":
                    var picked = given is null ? null : FindOption(element, given);
                    entry["selected_options"] = picked is null ? new JsonArray() : new JsonArray(picked);
                    break;
                case "datepicker":
                    entry["selected_date"] = given;
                    break;
                case "timepicker":
                    entry["selected_time"] = given;
                    break;
                case "users_select":
                    entry["selected_user"] = given;
                    break;
                case "conversations_select":
                    entry["selected_conversation"] = given;
                    break;
                case "channels_select":
                    entry["selected_channel"] = given;
                    break;
                default:
                    if (given is not null && element["min_length"] is JsonValue min && min.TryGetValue<int>(out var minLength) && given.Length < minLength)
                        errors[blockId] = string.Create(CultureInfo.InvariantCulture, $"Must have at least {minLength} characters");
                    if (given is not null && element["max_length"] is JsonValue max && max.TryGetValue<int>(out var maxLength) && given.Length > maxLength)
                        errors[blockId] = string.Create(CultureInfo.InvariantCulture, $"Must have at most {maxLength} characters");
                    entry["value"] = given;
                    break;
            }
            state[blockId] = new JsonObject { [actionId] = entry };
        }
        return (state, errors);
    }

    private static JsonNode? FindOption(JsonObject element, string value)
    {
        var options = element["options"] as JsonArray
            ?? new JsonArray((element["option_groups"] as JsonArray ?? []).SelectMany(g => g?["options"] as JsonArray ?? []).Select(o => o?.DeepClone()).ToArray());
        return options.FirstOrDefault(o => o?["value"]?.GetValue<string>() == value)?.DeepClone();
    }

    private static (JsonObject Block, JsonObject Element)? FindAction(JsonElement blocks, string actionId)
    {
        var array = JsonNode.Parse(blocks.GetRawText()) as JsonArray ?? [];
        foreach (var block in array.OfType<JsonObject>())
        {
            var candidates = new List<JsonObject>();
            if (block["accessory"] is JsonObject accessory)
                candidates.Add(accessory);
            if (block["elements"] is JsonArray elements && BlockKitRules.TypeOf(block) == "actions")
                candidates.AddRange(elements.OfType<JsonObject>());
            var match = candidates.FirstOrDefault(e => e["action_id"]?.GetValue<string>() == actionId);
            if (match is not null)
                return (block, match);
        }
        return null;
    }

    private JsonObject UserJson(string userId) => new()
    {
        ["id"] = userId,
        ["username"] = SandboxUsers.NameOf(userId),
        ["name"] = SandboxUsers.NameOf(userId),
        ["team_id"] = Options.TeamId,
    };

    private void ShowSlackbotError(string userId, string channelId, string text) =>
        workspace.PostEphemeral(userId, channelId, null, text, null, SlackbotSource);

    private (bool InChannel, string Text, JsonElement? Blocks, string? Error) ParseReply(string body, bool isJson)
    {
        if (!isJson && !body.TrimStart().StartsWith('{'))
            return (false, body, null, null); // Slack shows a plain-text answer as an ephemeral message
        JsonObject? reply;
        try
        {
            reply = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return (false, "", null, "invalid_response");
        }
        if (reply is null)
            return (false, "", null, "invalid_response");
        var text = reply["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        var content = ChatApi.CheckContent(text, reply["blocks"] as JsonArray, reply["blocks"] is not null, reply["attachments"] is JsonArray { Count: > 0 }, required: true);
        if (content.Error is not null)
        {
            logger.LogWarning("The bot answered a slash command with refused content: {Problem}", content.Error.Body.ToJsonString());
            return (false, "", null, content.Error.Error);
        }
        var inChannel = reply["response_type"]?.GetValue<string>() == "in_channel";
        return (inChannel, content.Text ?? "", content.Blocks, null);
    }

    private async Task<Sent> SendOverSocketModeAsync(string path, IReadOnlyList<KeyValuePair<string, string>> fields, string what, CancellationToken ct)
    {
        // The envelope carries what the form would: a slash command's fields as a JSON object, an interaction's payload as itself.
        var (type, payload) = path == CommandsPath
            ? ("slash_commands", new JsonObject(fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Key, f.Value))))
            : ("interactive", JsonNode.Parse(fields.Single(f => f.Key == "payload").Value)!.AsObject());
        var (ackPayload, elapsed, error) = await socketMode.DeliverAsync(type, payload, what, ct);
        return error is null
            ? new Sent(200, ackPayload ?? "", ackPayload is not null, elapsed, false, null)
            : new Sent(null, "", false, elapsed, true, error);
    }

    private sealed record Sent(int? Status, string Body, bool IsJson, TimeSpan Elapsed, bool MissedDeadline, string? Error);

    /// <summary>
    /// Sends the bot what a person did and waits for its answer no longer than Slack would: as a signed form posted to
    /// the bot, or, when the app has Socket Mode on, as an envelope on one of its connections.
    /// </summary>
    private async Task<Sent> SendAsync(string path, IReadOnlyList<KeyValuePair<string, string>> fields, string what, CancellationToken ct)
    {
        if (socketMode.Enabled)
            return await SendOverSocketModeAsync(path, fields, what, ct);
        var body = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        return await PostSignedAsync(path, body, "application/x-www-form-urlencoded", what, ct);
    }

    /// <summary>Posts a signed body to the bot and waits for its answer no longer than Slack would.</summary>
    private async Task<Sent> PostSignedAsync(string path, string body, string mediaType, string what, CancellationToken ct)
    {
        var timestamp = workspace.Clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(Options.BotUrl.TrimEnd('/') + "/"), path))
        {
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Sign(Options.SigningSecret, timestamp, body));
        request.Headers.UserAgent.ParseAdd("Slackbot/1.0");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Options.AckDeadline);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, deadline.Token);
            var answer = await response.Content.ReadAsStringAsync(deadline.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
            var status = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.OK)
                return new Sent(status, answer, isJson, elapsed, false, "http_service_error");
            return new Sent(status, answer, isJson, elapsed, false, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            workspace.RecordDeadlineMiss($"{what}: no answer within {Options.AckDeadline.TotalSeconds:0.#} s");
            logger.LogWarning("The bot did not answer {What} within {Deadline}; Slack shows the person operation_timeout", what, Options.AckDeadline);
            return new Sent(null, "", false, elapsed, true, "operation_timeout");
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Could not reach the bot at {BotUrl} for {What}", Options.BotUrl, what);
            return new Sent(null, "", false, Stopwatch.GetElapsedTime(started), false, "dispatch_failed");
        }
    }
}
