using Specific.JobsBot.Commands;
using Specific.JobsBot.Runs;
using Specific.Slack;
using Specific.Slack.BlockKit;
using Specific.Slack.Payloads;

namespace Specific.JobsBot.Tests.Interactions;

public class JobModalTests
{
    private static JobModalModel Model(IReadOnlyList<string>? services, string? problem = null, string? rerunOf = null) => new(
        new JobModalMetadata("C0CHANNEL", "production", rerunOf),
        ["production", "staging"],
        services,
        problem,
        Service: "web",
        Name: new string('n', JobCommandParser.MaxNameLength),
        Command: new string('c', JobCommandParser.MaxCommandLength));

    public static TheoryData<string> Shapes => new() { "menu", "typed", "too-many", "rerun" };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_shape_of_the_modal_is_within_Slacks_limits(string shape)
    {
        var model = shape switch
        {
            "menu" => Model(["api", "web"]),
            "typed" => Model(null, new string('p', 5000)),
            "too-many" => Model(Enumerable.Range(0, 150).Select(i => $"service-{i}-" + new string('x', 80)).ToList(), "150 services"),
            _ => Model(["web"], rerunOf: "j-abcdefgh"),
        };

        var view = JobModal.Render(model);

        Assert.Empty(BlockKitLimits.Check(view));
    }

    [Fact]
    public void Without_a_service_menu_the_service_is_typed_and_the_hint_says_why()
    {
        var view = JobModal.Render(Model(null, "Couldn't list the services of production (timeout)."));

        var service = view.Blocks.OfType<InputBlock>().Single(b => b.BlockId == "job_service_production");
        Assert.IsType<PlainTextInputElement>(service.Element);
        Assert.Equal("Couldn't list the services of production (timeout).", service.Hint?.Text);
    }

    [Fact]
    public void A_submission_reads_back_what_the_modal_rendered()
    {
        var metadata = new JobModalMetadata("C0CHANNEL", "staging", "j-previous");
        var view = SlackJson.Deserialize<ViewPayload>("""
            {"id":"V1","callback_id":"job_run_modal","hash":"h","private_metadata":METADATA,
             "state":{"values":{
               "job_environment":{"job_modal_environment":{"type":"static_select","selected_option":{"value":"staging"}}},
               "job_service_staging":{"job_modal_service":{"type":"static_select","selected_option":{"value":"web-canary"}}},
               "job_name":{"job_modal_name":{"type":"plain_text_input","value":null}},
               "job_command":{"job_modal_command":{"type":"plain_text_input","value":"echo 'a'\necho \"b\""}},
               "job_timeout":{"job_modal_timeout":{"type":"plain_text_input","value":"45m"}}}}}
            """.Replace("METADATA", System.Text.Json.JsonSerializer.Serialize(SlackJson.Serialize(metadata)), StringComparison.Ordinal));

        var read = JobModal.ReadMetadata(view);
        var (draft, serviceBlock) = JobModal.ReadSubmission(view, read!);

        Assert.Equal(metadata, read);
        Assert.Equal(new RunJobDraft("web-canary", "staging", null, "echo 'a'\necho \"b\"", "45m"), draft);
        Assert.Equal("job_service_staging", serviceBlock);
    }

    [Fact]
    public void The_time_limit_field_is_optional_pre_filled_and_takes_its_problem()
    {
        var view = JobModal.Render(Model(["web"]) with { Timeout = "1h30m" });

        var field = view.Blocks.OfType<InputBlock>().Single(b => b.BlockId == JobModal.TimeoutBlock);
        Assert.True(field.Optional);
        Assert.Equal("1h30m", Assert.IsType<PlainTextInputElement>(field.Element).InitialValue);
        var problems = new Dictionary<RunJobField, string> { [RunJobField.Timeout] = "too long" };
        Assert.Equal(
            new Dictionary<string, string> { [JobModal.TimeoutBlock] = "too long" },
            JobModal.ErrorsByBlock(new RunJobValidation(null, problems), "job_service_production"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"channel_id\":\"C1\"}")]
    public void Metadata_that_is_not_ours_reads_as_none(string privateMetadata)
    {
        var view = new ViewPayload { Id = "V1", PrivateMetadata = privateMetadata };

        Assert.Null(JobModal.ReadMetadata(view));
    }
}
