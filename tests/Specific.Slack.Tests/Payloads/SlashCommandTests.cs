using Specific.Slack.Payloads;

namespace Specific.Slack.Tests.Payloads;

public sealed class SlashCommandTests
{
    [Fact]
    public void A_signed_slash_command_body_parses_into_its_fields()
    {
        const string body =
            "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001&channel_id=C2147483705" +
            "&channel_name=test&user_id=U2147483697&user_name=Steve&command=%2Fspecific" +
            "&text=job+run+web+--+echo+%22%24GREETING%22+%7C+tr+a-z+A-Z%0Anext+line+%E2%9C%93" +
            "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0" +
            "&api_app_id=A123456&is_enterprise_install=false";

        var command = SlashCommand.FromBody(body);

        Assert.Equal("/specific", command.Command);
        Assert.Equal("job run web -- echo \"$GREETING\" | tr a-z A-Z\nnext line ✓", command.Text);
        Assert.Equal("T0001", command.TeamId);
        Assert.Equal("C2147483705", command.ChannelId);
        Assert.Equal("U2147483697", command.UserId);
        Assert.Equal("Steve", command.UserName);
        Assert.Equal("test", command.ChannelName);
        Assert.Equal("E0001", command.EnterpriseId);
        Assert.Equal("https://hooks.slack.com/commands/1234/5678", command.ResponseUrl);
        Assert.Equal("13345224609.738474920.8088930838d88f008e0", command.TriggerId);
        Assert.Equal("A123456", command.ApiAppId);
        Assert.False(command.IsEnterpriseInstall);
    }

    [Fact]
    public void Empty_text_is_an_empty_string()
    {
        var command = SlashCommand.FromBody("command=%2Fspecific&text=&team_id=T1&channel_id=C1&user_id=U1");
        Assert.Equal("", command.Text);
        Assert.Null(command.ResponseUrl);
    }

    [Theory]
    [InlineData("text=hi&team_id=T1&channel_id=C1&user_id=U1", "command")]
    [InlineData("command=%2Fspecific&team_id=T1&user_id=U1", "channel_id")]
    [InlineData("command=%2Fspecific&team_id=T1&channel_id=C1", "user_id")]
    public void A_form_without_a_required_field_is_refused(string body, string missing)
    {
        var error = Assert.Throws<FormatException>(() => SlashCommand.FromBody(body));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
