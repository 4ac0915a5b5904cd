using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Specific.Sandbox.Tests.Slack;

/// <summary>views.open/update/push: trigger_id rules and modal limits, with a fake bot handing out real trigger ids.</summary>
public sealed class ViewsTests : IAsyncLifetime
{
    private FakeBot _bot = null!;
    private StandInHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _bot = await FakeBot.StartAsync();
        // A generous lifetime: this machine is shared and loaded; the expiry test sets its own.
        _host = await StandInHost.StartAsync(o => o.TriggerIdLifetime = TimeSpan.FromSeconds(15), _bot.Url.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _bot.DisposeAsync();
    }

    internal static JsonObject Modal(string title = "Run a job", int inputs = 1, string? submit = "Run") => new()
    {
        ["type"] = "modal",
        ["callback_id"] = "job_run",
        ["title"] = new JsonObject { ["type"] = "plain_text", ["text"] = title },
        ["submit"] = submit is null ? null : new JsonObject { ["type"] = "plain_text", ["text"] = submit },
        ["private_metadata"] = """{"channel":"C0SANDBOX"}""",
        ["blocks"] = new JsonArray(Enumerable.Range(0, inputs).Select(i => (JsonNode)new JsonObject
        {
            ["type"] = "input",
            ["block_id"] = $"command_{i}",
            ["label"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Command" },
            ["element"] = new JsonObject { ["type"] = "plain_text_input", ["action_id"] = "value", ["multiline"] = true, ["max_length"] = 3000 },
        }).ToArray()),
    };

    private async Task<string> TriggerIdAsync()
    {
        var result = await _host.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", TestContext.Current.CancellationToken);
        return result.TriggerId;
    }

    [Fact]
    public async Task Fresh_trigger_id_opens_a_modal_the_person_sees()
    {
        var trigger = await TriggerIdAsync();

        var response = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = Modal() });

        Assert.True(response.Ok, response.Body.ToJsonString());
        var view = _host.Slack.OpenView("U0SANDBOX");
        Assert.NotNull(view);
        Assert.Equal(response.Body["view"]!["id"]!.GetValue<string>(), view.Id);
        Assert.Equal("Run a job", view.Title);
        Assert.Equal("job_run", view.CallbackId);
    }

    [Fact]
    public async Task Trigger_id_used_twice_is_exchanged_trigger_id()
    {
        var trigger = await TriggerIdAsync();
        await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = Modal() });

        var again = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = Modal() });

        Assert.Equal("exchanged_trigger_id", again.Error);
    }

    [Fact]
    public async Task Trigger_id_past_its_lifetime_is_expired_trigger_id()
    {
        await using var strict = await StandInHost.StartAsync(o => o.TriggerIdLifetime = TimeSpan.FromSeconds(1), _bot.Url.ToString());
        var trigger = (await strict.Slack.RunSlashCommandAsync("U0SANDBOX", "C0SANDBOX", "job", TestContext.Current.CancellationToken)).TriggerId;
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);

        var response = await strict.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = Modal() });

        Assert.Equal("expired_trigger_id", response.Error);
        Assert.Null(strict.Slack.OpenView("U0SANDBOX"));
    }

    [Fact]
    public async Task Made_up_trigger_id_is_invalid_trigger_id()
    {
        var response = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = "123.456.abc", ["view"] = Modal() });

        Assert.Equal("invalid_trigger_id", response.Error);
    }

    [Theory]
    [InlineData("title", "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]")]
    [InlineData("blocks", "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]")]
    [InlineData("submit", "[ERROR] must be less than 25 characters [json-pointer:/view/submit/text]")]
    [InlineData("private_metadata", "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")]
    [InlineData("callback_id", "[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")]
    [InlineData("no submit with inputs", "[ERROR] missing required field: submit [json-pointer:/view]")]
    public async Task Modal_over_a_limit_is_invalid_arguments_naming_the_path(string limit, string expected)
    {
        var view = limit switch
        {
            "title" => Modal(title: new string('t', 25)),
            "blocks" => Modal(inputs: 101),
            "submit" => Modal(submit: new string('s', 25)),
            "no submit with inputs" => Modal(submit: null),
            _ => Modal(),
        };
        if (limit == "private_metadata")
            view["private_metadata"] = new string('m', 3001);
        if (limit == "callback_id")
            view["callback_id"] = new string('c', 256);
        var trigger = await TriggerIdAsync();

        var response = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = trigger, ["view"] = view });

        Assert.Equal("invalid_arguments", response.Error);
        Assert.Contains(expected, response.Messages);
    }

    [Fact]
    public async Task Update_with_a_stale_hash_is_hash_conflict_and_a_fresh_hash_updates()
    {
        var opened = await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = await TriggerIdAsync(), ["view"] = Modal() });
        var viewId = opened.Body["view"]!["id"]!.GetValue<string>();
        var hash = opened.Body["view"]!["hash"]!.GetValue<string>();

        var first = await _host.CallAsync("views.update", new JsonObject { ["view_id"] = viewId, ["hash"] = hash, ["view"] = Modal(title: "Step 2") });
        var stale = await _host.CallAsync("views.update", new JsonObject { ["view_id"] = viewId, ["hash"] = hash, ["view"] = Modal(title: "Step 3") });

        Assert.True(first.Ok, first.Body.ToJsonString());
        Assert.Equal("hash_conflict", stale.Error);
        Assert.Equal("Step 2", _host.Slack.OpenView("U0SANDBOX")!.Title);
    }

    [Fact]
    public async Task Push_stacks_at_most_three_views()
    {
        await _host.CallAsync("views.open", new JsonObject { ["trigger_id"] = await TriggerIdAsync(), ["view"] = Modal(title: "One") });
        await _host.CallAsync("views.push", new JsonObject { ["trigger_id"] = await TriggerIdAsync(), ["view"] = Modal(title: "Two") });
        await _host.CallAsync("views.push", new JsonObject { ["trigger_id"] = await TriggerIdAsync(), ["view"] = Modal(title: "Three") });

        var fourth = await _host.CallAsync("views.push", new JsonObject { ["trigger_id"] = await TriggerIdAsync(), ["view"] = Modal(title: "Four") });

        Assert.Equal("push_limit_reached", fourth.Error);
        Assert.Equal("Three", _host.Slack.OpenView("U0SANDBOX")!.Title);
    }
}
