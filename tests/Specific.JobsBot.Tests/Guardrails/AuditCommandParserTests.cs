using Specific.JobsBot.Commands;

namespace Specific.JobsBot.Tests.Guardrails;

/// <summary>The grammar of <c>job audit [&lt;service&gt;] [--env &lt;name&gt;]</c>.</summary>
public sealed class AuditCommandParserTests
{
    [Theory]
    [InlineData("job audit", null, null)]
    [InlineData("job audit web", "web", null)]
    [InlineData("job audit web --env staging", "web", "staging")]
    [InlineData("job audit --env=staging", null, "staging")]
    [InlineData("JOB AUDIT  --env staging   web ", "web", "staging")]
    public void Audit_takes_an_optional_service_and_environment(string text, string? service, string? environment)
    {
        Assert.Equal(new AuditCommand(service, environment), JobCommandParser.Parse(text));
    }

    [Theory]
    [InlineData("job audit web api", "at most one service")]
    [InlineData("job audit --name nightly", "takes only `--env`")]
    [InlineData("job audit web --timeout 5m", "takes only `--env`")]
    [InlineData("job audit --env", "`--env` needs a value")]
    [InlineData("job audit --since 1h", "Unknown option `--since`")]
    public void Audit_with_more_than_it_takes_says_what_was_wrong(string text, string problem)
    {
        var invalid = Assert.IsType<InvalidCommand>(JobCommandParser.Parse(text));

        Assert.Contains(problem, invalid.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_mentions_the_audit_command()
    {
        Assert.Contains("/specific job audit [<service>] [--env <name>]", JobCommandUsage.Text, StringComparison.Ordinal);
    }
}
