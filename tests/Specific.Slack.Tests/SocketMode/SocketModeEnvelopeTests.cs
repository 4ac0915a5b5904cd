using System.Text.Json;
using Specific.Slack.Payloads;
using Specific.Slack.SocketMode;

namespace Specific.Slack.Tests.SocketMode;

/// <summary>Socket Mode's messages as Slack documents them, read and answered.</summary>
public sealed class SocketModeEnvelopeTests
{
    [Fact]
    public void Hello_and_disconnect_are_read_with_their_details()
    {
        var hello = SocketModeEnvelope.Parse("""{"type":"hello","num_connections":2,"debug_info":{"host":"applink-1","approximate_connection_time":18060},"connection_info":{"app_id":"A1"}}""");
        Assert.Equal(SocketModeProtocol.Hello, hello.Type);
        Assert.Equal(2, hello.NumConnections);

        var disconnect = SocketModeEnvelope.Parse("""{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-1"}}""");
        Assert.Equal(SocketModeProtocol.Disconnect, disconnect.Type);
        Assert.Equal(SocketModeProtocol.DisconnectReasons.RefreshRequested, disconnect.Reason);
        Assert.Null(disconnect.EnvelopeId);
    }

    [Fact]
    public void A_slash_commands_envelope_carries_the_fields_Slack_would_post_as_a_form()
    {
        var envelope = SocketModeEnvelope.Parse("""
            {"envelope_id":"e-1","type":"slash_commands","accepts_response_payload":true,"retry_attempt":1,"retry_reason":"timeout",
             "payload":{"token":"x","team_id":"T1","team_domain":"acme","channel_id":"C1","channel_name":"ops","user_id":"U1","user_name":"ada",
                        "command":"/specific","text":"job run web echo hi","api_app_id":"A1","is_enterprise_install":"false",
                        "response_url":"https://hooks.slack.com/commands/T1/1/abc","trigger_id":"1.2.3"}}
            """);

        Assert.Equal("e-1", envelope.EnvelopeId);
        Assert.True(envelope.AcceptsResponsePayload);
        Assert.Equal(1, envelope.RetryAttempt);
        Assert.Equal("timeout", envelope.RetryReason);
        var slash = envelope.ReadSlashCommand();
        Assert.Equal("/specific", slash.Command);
        Assert.Equal("job run web echo hi", slash.Text);
        Assert.Equal("T1", slash.TeamId);
        Assert.Equal("1.2.3", slash.TriggerId);
        Assert.False(slash.IsEnterpriseInstall);
    }

    [Fact]
    public void An_interactive_envelope_carries_the_interaction_payload_itself()
    {
        var envelope = SocketModeEnvelope.Parse("""
            {"envelope_id":"e-2","type":"interactive","accepts_response_payload":true,
             "payload":{"type":"view_submission","user":{"id":"U1","team_id":"T1"},"view":{"id":"V1","callback_id":"job_run","hash":"h1","state":{"values":{}}}}}
            """);

        var submission = Assert.IsType<ViewSubmissionPayload>(envelope.ReadInteraction());
        Assert.Equal("V1", submission.View.Id);
    }

    [Fact]
    public void A_slash_commands_envelope_without_required_fields_is_refused()
    {
        var envelope = SocketModeEnvelope.Parse("""{"envelope_id":"e-3","type":"slash_commands","payload":{"text":"help"}}""");
        Assert.Throws<FormatException>(envelope.ReadSlashCommand);
        Assert.Throws<JsonException>(() => SocketModeEnvelope.Parse("""{"envelope_id":"e-4"}"""));
        Assert.Throws<JsonException>(() => SocketModeEnvelope.Parse("not json"));
    }

    [Fact]
    public void The_acknowledgement_names_the_envelope_and_carries_the_answer_unchanged()
    {
        var reply = SlackJson.Serialize(ViewSubmissionResponse.WithErrors(new Dictionary<string, string> { ["command"] = "Say what to run." }));

        using var withPayload = JsonDocument.Parse(SocketModeAck.Serialize("e-1", reply));
        using var empty = JsonDocument.Parse(SocketModeAck.Serialize("e-2", null));

        Assert.Equal("e-1", withPayload.RootElement.GetProperty("envelope_id").GetString());
        Assert.Equal("errors", withPayload.RootElement.GetProperty("payload").GetProperty("response_action").GetString());
        Assert.Equal("Say what to run.", withPayload.RootElement.GetProperty("payload").GetProperty("errors").GetProperty("command").GetString());
        Assert.Equal("""{"envelope_id":"e-2"}""", empty.RootElement.GetRawText());
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_stops_at_the_cap()
    {
        var random = new Random(7);
        var baseDelay = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(30);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var ceiling = Math.Min(cap.TotalMilliseconds, 1000 * Math.Pow(2, attempt));
            var delays = Enumerable.Range(0, 200).Select(_ => SocketModeBackoff.Delay(attempt, baseDelay, cap, random).TotalMilliseconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, ceiling / 2, ceiling));
            // Jitter: replicas that failed together spread out.
            Assert.True(delays.Distinct().Count() > 150, $"attempt {attempt} barely varies");
        }

        Assert.InRange(SocketModeBackoff.Delay(1000, baseDelay, cap, random).TotalMilliseconds, cap.TotalMilliseconds / 2, cap.TotalMilliseconds);
    }
}
