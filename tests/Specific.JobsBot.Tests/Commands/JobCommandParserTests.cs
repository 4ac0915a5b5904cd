using Specific.JobsBot.Commands;

namespace Specific.JobsBot.Tests.Commands;

public class JobCommandParserTests
{
    public static TheoryData<string, string, string?, string?, string> RunCases => new()
    {
        // text as Slack sends it, service, env, name, command as the job must receive it
        { "job run web echo hi", "web", null, null, "echo hi" },
        { "job run web --env staging echo hi", "web", "staging", null, "echo hi" },
        { "job run web --env=staging echo hi", "web", "staging", null, "echo hi" },
        { "job run --env staging web echo hi", "web", "staging", null, "echo hi" },
        { "job run web --name nightly --env staging -- ./run --env prod", "web", "staging", "nightly", "./run --env prod" },
        { "job run web --name \"nightly backfill\" echo hi", "web", null, "nightly backfill", "echo hi" },
        { "job run web --name=\u201Cnightly backfill\u201D echo hi", "web", null, "nightly backfill", "echo hi" },
        { "job run web -- --version", "web", null, null, "--version" },
        { "job run web echo \"a  b\" 'c'   d", "web", null, null, "echo \"a  b\" 'c'   d" },
        { "job run web echo $GREETING ${HOME} $(date)", "web", null, null, "echo $GREETING ${HOME} $(date)" },
        { "job run web cat a | grep b &gt; out &amp;&amp; echo &lt;done&gt;", "web", null, null, "cat a | grep b > out && echo <done>" },
        { "job run web echo &amp;lt;", "web", null, null, "echo &lt;" },
        { "job run web\necho one\necho two", "web", null, null, "echo one\necho two" },
        { "job run web echo héllo 日本語 🚀 \u200B", "web", null, null, "echo héllo 日本語 🚀 \u200B" },
        { "  JOB   Run   web    ls -la   ", "web", null, null, "ls -la   " },
        { "job run web python -c 'print(\"--env\")'", "web", null, null, "python -c 'print(\"--env\")'" },
    };

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Run_keeps_the_command_verbatim(string text, string service, string? environment, string? name, string command)
    {
        var parsed = JobCommandParser.Parse(text);

        Assert.Equal(new RunJobCommand(service, environment, name, command), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("help")]
    [InlineData("HELP me")]
    [InlineData("job help")]
    public void Help_or_nothing_shows_the_usage(string text) =>
        Assert.IsType<HelpCommand>(JobCommandParser.Parse(text));

    [Theory]
    [InlineData("job run")]
    [InlineData("job run   \n ")]
    public void Run_with_nothing_after_it_opens_the_modal(string text) =>
        Assert.IsType<OpenRunModalCommand>(JobCommandParser.Parse(text));

    [Theory]
    [InlineData("job list", null)]
    [InlineData("job list web", "web")]
    public void List_takes_an_optional_service(string text, string? service) =>
        Assert.Equal(new ListJobsCommand(service), JobCommandParser.Parse(text));

    [Fact]
    public void Logs_and_cancel_take_a_job_id()
    {
        Assert.Equal(new JobLogsCommand("j-abc12345"), JobCommandParser.Parse("job logs j-abc12345"));
        Assert.Equal(new CancelJobCommand("j-abc12345"), JobCommandParser.Parse("job cancel  j-abc12345 "));
    }

    [Theory]
    [InlineData("job logs j-abc12345 --grep error", "error", false)]
    [InlineData("job logs --grep error j-abc12345", "error", false)]
    [InlineData("job logs j-abc12345 --grep=\"timed out\"", "timed out", false)]
    [InlineData("job logs j-abc12345 --grep '$DATABASE_URL; rm -rf'", "$DATABASE_URL; rm -rf", false)]
    [InlineData("job logs j-abc12345 --grep a&lt;b", "a<b", false)]
    [InlineData("job logs j-abc12345 --file", null, true)]
    [InlineData("job logs --file j-abc12345", null, true)]
    public void Logs_take_a_search_text_or_ask_for_the_file(string text, string? grep, bool asFile) =>
        Assert.Equal(new JobLogsCommand("j-abc12345", grep, asFile), JobCommandParser.Parse(text));

    [Theory]
    [InlineData("job run web --timeout 90s sleep 60", "90s", "sleep 60")]
    [InlineData("job run web --timeout=1h30m --env staging -- ./backfill --timeout 5", "1h30m", "./backfill --timeout 5")]
    [InlineData("job run --timeout 2s web sleep 60", "2s", "sleep 60")]
    [InlineData("job run web --timeout soon sleep 60", "soon", "sleep 60")]
    public void Run_keeps_the_time_limit_as_typed_for_the_validator(string text, string timeout, string command)
    {
        var parsed = Assert.IsType<RunJobCommand>(JobCommandParser.Parse(text));

        Assert.Equal((timeout, command), (parsed.Timeout, parsed.Command));
    }

    [Fact]
    public void Run_without_a_time_limit_leaves_it_to_the_default() =>
        Assert.Null(Assert.IsType<RunJobCommand>(JobCommandParser.Parse("job run web sleep 60")).Timeout);

    public static TheoryData<string, string> ErrorCases => new()
    {
        { "deploy web", "Unknown command `deploy`" },
        { "job", "needs a subcommand" },
        { "job start web echo", "Unknown subcommand `job start`" },
        { "job run --env staging", "Missing service" },
        { "job run -- ", "Missing service" },
        { "job run web", "Missing command" },
        { "job run web --env staging", "Missing command" },
        { "job run web --", "Missing command" },
        { "job run web --force echo", "Unknown option `--force`" },
        { "job run web -x", "Unknown option `-x`" },
        { "job run web --env", "`--env` needs a value" },
        { "job run web --env= echo", "`--env` needs a value" },
        { "job run web --env a --env b echo", "`--env` is given twice" },
        { "job run web --timeout", "`--timeout` needs a value, as in `--timeout 30m`" },
        { "job run web --timeout= sleep 60", "`--timeout` needs a value" },
        { "job run web --timeout 1m --timeout 2m sleep 60", "`--timeout` is given twice" },
        { "job run web --force echo", "Options are `--env`, `--name` and `--timeout`" },
        { "job run web --name \"open echo", "no closing" },
        { "job run web " + new string('x', JobCommandParser.MaxCommandLength + 1), "the limit is 3,000" },
        { "job run web --name " + new string('n', JobCommandParser.MaxNameLength + 1) + " echo", "the limit is 80" },
        { "job list web api", "at most one service" },
        { "job logs", "needs a job id" },
        { "job logs --grep x", "needs a job id" },
        { "job logs j-1 --grep", "`--grep` needs the text to look for" },
        { "job logs j-1 --grep \"open", "no closing" },
        { "job logs j-1 --grep a --grep b", "`--grep` is given twice" },
        { "job logs j-1 --grep timed out", "takes one job id" },
        { "job logs j-1 --tail 5", "Unknown option `--tail` for `job logs`" },
        { "job logs j-1 --file=yes", "`--file` takes no value" },
        { "job logs j-1 --grep x --file", "do not go together" },
        { "job logs j-1 --grep " + new string('g', JobCommandParser.MaxGrepLength + 1), "the limit is 200" },
        { "job cancel", "needs a job id" },
        { "job cancel j-1 j-2", "takes one job id" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Malformed_commands_say_what_was_wrong(string text, string expected)
    {
        var parsed = JobCommandParser.Parse(text);

        var invalid = Assert.IsType<InvalidCommand>(parsed);
        Assert.Contains(expected, invalid.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_at_the_length_limit_is_accepted()
    {
        var command = new string('x', JobCommandParser.MaxCommandLength);

        var parsed = JobCommandParser.Parse("job run web " + command);

        Assert.Equal(command, Assert.IsType<RunJobCommand>(parsed).Command);
    }

    [Fact]
    public void An_echoed_word_is_shortened_and_cannot_break_out_of_its_code_span()
    {
        var parsed = JobCommandParser.Parse("job `" + new string('a', 500));

        var problem = Assert.IsType<InvalidCommand>(parsed).Problem;
        Assert.True(problem.Length < 120, problem);
        Assert.Equal(2, problem.Count(c => c == '`'));
    }

    [Theory]
    [InlineData("wbe", new[] { "web", "worker", "api" }, new[] { "web" })]
    [InlineData("wrker", new[] { "web", "worker", "api" }, new[] { "worker" })]
    [InlineData("payments", new[] { "payment-api", "payments-worker", "web" }, new[] { "payments-worker" })]
    [InlineData("zzzzzz", new[] { "web", "worker" }, new string[0])]
    public void Closest_names_are_found_by_edit_distance(string typed, string[] candidates, string[] expected) =>
        Assert.Equal(expected, ClosestNames.Find(typed, candidates));

    [Theory]
    [InlineData("notify", null)]
    [InlineData("notify on", true)]
    [InlineData("notify off", false)]
    [InlineData("  NOTIFY   Off  ", false)]
    public void Notify_turns_the_direct_message_on_or_off_or_shows_it(string text, bool? on) =>
        Assert.Equal(new NotifyCommand(on), JobCommandParser.Parse(text));

    [Theory]
    [InlineData("notify maybe", "`notify` takes `on` or `off`, not `maybe`")]
    [InlineData("notify off now", "`notify` takes one word")]
    [InlineData("notify `off`", "not `'off'`")]
    public void Notify_with_anything_but_on_or_off_says_what_it_takes(string text, string problem)
    {
        var invalid = Assert.IsType<InvalidCommand>(JobCommandParser.Parse(text));

        Assert.Contains(problem, invalid.Problem, StringComparison.Ordinal);
        Assert.Contains("`notify off`", invalid.Problem, StringComparison.Ordinal);
    }
}
