using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Specific.Jobs.Domain;
using Specific.Jobs.Logs;
using Specific.Jobs.Retention;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Retention;

/// <summary>Retention as a host has it: settings refused at start naming the variable, and a pass on its interval.</summary>
public sealed class RetentionRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "specific-jobs-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_the_start_naming_every_variable_to_set()
    {
        using var host = Build(new()
        {
            ["Retention:JobDays"] = "0",
            ["Retention:AuditDays"] = "-3",
            ["Retention:BatchSize"] = "0",
            ["Retention:Interval"] = "00:00:01",
        });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        foreach (var variable in new[] { "Retention__JobDays", "Retention__AuditDays", "Retention__BatchSize", "Retention__Interval" })
        {
            Assert.Contains(variable, refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_background_pass_deletes_an_old_ended_job_and_its_lines_after_start_up()
    {
        using var host = Build(new() { ["Retention:Interval"] = "01:00:00" });
        var jobs = host.Services.GetRequiredService<IJobStore>();
        var logs = host.Services.GetRequiredService<ILogStore>();
        var job = await jobs.CreateAsync(new JobRequest("web", "production", "echo hi", null, new JobOrigin("api")), Ct);
        Assert.True((await jobs.TryTransitionAsync(job.Id, JobState.Pending, new JobTransition(JobState.Cancelled, _clock.GetUtcNow()), Ct)).Applied);
        await logs.AppendAsync(job.Id, [new LogLine(1, _clock.GetUtcNow(), LogStream.Output, "bye")], Ct);
        _clock.Advance(TimeSpan.FromDays(181));
        await host.StartAsync(Ct);

        // The first pass comes at most five minutes after start-up; the service starts its wait on a thread of its own
        // (.NET 10's BackgroundService), so the fake clock moves on in five-minute steps until the pass has run.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (await jobs.GetAsync(job.Id, Ct) is not null)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "Timed out waiting until the retention pass deleted the job.");
            _clock.Advance(TimeSpan.FromMinutes(5));
            await Task.Delay(25, Ct);
        }

        Assert.Equal(0, await logs.LastNumberAsync(job.Id, Ct));
        await host.StopAsync(Ct);
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        settings["Storage:SqlitePath"] = Path.Combine(_directory, "jobs.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddJobStorage(builder.Configuration);
        builder.Services.AddJobRetention();
        return builder.Build();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
