using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Redaction;

namespace Specific.Jobs.Tests.Redaction;

/// <summary>The per-job cache, the switch, and what happens when Secrets cannot be read.</summary>
public sealed class JobRedactionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class ScriptedSource : ISecretValueSource
    {
        public int Reads { get; private set; }
        public Func<JobRecord, CancellationToken, Task<SecretValueRead>> Answer { get; set; } =
            (_, _) => Task.FromResult(new SecretValueRead(["super-secret-value"], []));

        public Task<SecretValueRead> ReadAsync(JobRecord job, CancellationToken cancellationToken)
        {
            Reads++;
            return Answer(job, cancellationToken);
        }
    }

    private static JobRecord Job(string id) => new()
    {
        Id = id,
        Service = "web",
        Environment = "production",
        Command = "env",
        Origin = new JobOrigin(JobOrigin.Slack),
        State = JobState.Running,
        Version = 1,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private static (JobRedaction Redaction, ScriptedSource Source, FakeTimeProvider Time) Create(Action<RedactionOptions>? configure = null)
    {
        var options = new RedactionOptions();
        configure?.Invoke(options);
        var source = new ScriptedSource();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        return (new JobRedaction(source, Options.Create(options), time, NullLogger<JobRedaction>.Instance), source, time);
    }

    [Fact]
    public async Task A_job_s_values_are_read_once_and_kept_for_the_cache_duration()
    {
        var (redaction, source, time) = Create();
        var first = await redaction.ForJobAsync(Job("j-1"), Ct);
        var second = await redaction.ForJobAsync(Job("j-1"), Ct);
        Assert.Same(first, second);
        Assert.Equal(1, source.Reads);
        Assert.Equal("[redacted]", first.Redact("super-secret-value"));
        Assert.Null(first.Warning);

        time.Advance(TimeSpan.FromMinutes(1));
        await redaction.ForJobAsync(Job("j-1"), Ct);
        Assert.Equal(2, source.Reads);
    }

    [Fact]
    public async Task Switched_off_it_reads_nothing_and_redacts_shapes_only()
    {
        var (redaction, source, _) = Create(o => o.SecretValues = false);
        var redactor = await redaction.ForJobAsync(Job("j-1"), Ct);
        Assert.Equal(0, source.Reads);
        Assert.Equal("super-secret-value [redacted]", redactor.Redact("super-secret-value xoxb-1234567890-abcdefghij"));
        Assert.Null(redactor.Warning);
    }

    [Fact]
    public async Task The_cache_holds_at_most_the_configured_number_of_jobs()
    {
        var (redaction, _, _) = Create(o => o.MaxCachedJobs = 3);
        for (var i = 0; i < 10; i++)
        {
            await redaction.ForJobAsync(Job($"j-{i}"), Ct);
        }
        Assert.Equal(3, redaction.CachedJobs);
    }

    [Fact]
    public async Task An_unreadable_Secret_leaves_shapes_and_the_readable_values_and_says_why()
    {
        var (redaction, source, time) = Create();
        source.Answer = (_, _) => Task.FromResult(new SecretValueRead(
            ["readable-value-1234"], ["the bot may not get secrets in `production` (it read Secret `db`)"]));
        var redactor = await redaction.ForJobAsync(Job("j-1"), Ct);

        Assert.Equal("[redacted] [redacted]", redactor.Redact("readable-value-1234 xoxb-1234567890-abcdefghij"));
        Assert.NotNull(redactor.Warning);
        Assert.Contains("Some secret values could not be read", redactor.Warning, StringComparison.Ordinal);
        Assert.Contains("Secret `db`", redactor.Warning, StringComparison.Ordinal);

        // A failed read is tried again soon, not kept for the whole cache duration.
        source.Answer = (_, _) => Task.FromResult(new SecretValueRead(["readable-value-1234"], []));
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Null((await redaction.ForJobAsync(Job("j-1"), Ct)).Warning);
        Assert.Equal(2, source.Reads);
    }

    [Fact]
    public async Task A_read_that_throws_becomes_a_warning_not_an_error()
    {
        var (redaction, source, _) = Create();
        source.Answer = (_, _) => throw new HttpRequestException("connection refused");
        var redactor = await redaction.ForJobAsync(Job("j-1"), Ct);
        Assert.Contains("could not be read", redactor.Warning, StringComparison.Ordinal);
        Assert.Contains("connection refused", redactor.Warning, StringComparison.Ordinal);
        Assert.Equal("[redacted]", redactor.Redact("xoxb-1234567890-abcdefghij"));
    }

    [Fact]
    public async Task A_read_that_takes_too_long_becomes_a_warning()
    {
        var options = new RedactionOptions { ReadTimeout = TimeSpan.FromMilliseconds(100) };
        var source = new ScriptedSource
        {
            Answer = async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new SecretValueRead([], []);
            },
        };
        var redaction = new JobRedaction(source, Options.Create(options), TimeProvider.System, NullLogger<JobRedaction>.Instance);
        var redactor = await redaction.ForJobAsync(Job("j-1"), Ct);
        Assert.Contains("took longer than 0.1 s", redactor.Warning, StringComparison.Ordinal);
    }
}
