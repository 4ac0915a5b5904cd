using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;
using Specific.Jobs.Logs;
using Specific.Jobs.Storage;
using Specific.Jobs.Testing;
using Specific.Jobs.Tests.Flow.Fakes;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Workflows;

namespace Specific.Jobs.Tests.Flow;

/// <summary>What can be checked of the Temporal side without a server: definitions, payloads and registration.</summary>
public sealed class TemporalDefinitionTests
{
    [Fact]
    public void Workflow_is_a_valid_definition_named_by_the_shared_constant()
    {
        var definition = WorkflowDefinition.Create(typeof(RunJobWorkflow));

        Assert.Equal(JobTemporal.WorkflowType, definition.Name);
    }

    [Fact]
    public void Activities_are_valid_definitions_with_the_names_the_workflow_schedules()
    {
        var activities = new JobActivities(
            new InMemoryJobStore(),
            new InMemoryLogStore(),
            new FakeKubernetesJobs(),
            Options.Create(new EnvironmentsOptions()),
            TimeProvider.System,
            NullLogger<JobActivities>.Instance);

        var names = ActivityDefinition.CreateAll(activities).Select(definition => definition.Name).Order();

        Assert.Equal(
            new[]
            {
                JobTemporal.PrepareActivity, JobTemporal.CreateActivity, JobTemporal.FollowActivity,
                JobTemporal.DeleteActivity, JobTemporal.RecordActivity,
            }.Order(),
            names);
    }

    [Theory]
    [InlineData(nameof(JobActivities.PrepareAsync), typeof(RunJobInput), JobTemporal.PrepareActivity)]
    [InlineData(nameof(JobActivities.CreateAsync), typeof(PreparedJob), JobTemporal.CreateActivity)]
    [InlineData(nameof(JobActivities.FollowAsync), typeof(FollowJobInput), JobTemporal.FollowActivity)]
    [InlineData(nameof(JobActivities.DeleteAsync), typeof(DeleteJobInput), JobTemporal.DeleteActivity)]
    [InlineData(nameof(JobActivities.RecordAsync), typeof(RecordOutcomeInput), JobTemporal.RecordActivity)]
    public void Overload_the_workflow_calls_is_the_registered_activity(string method, Type input, string activity)
    {
        var called = typeof(JobActivities).GetMethod(method, [input])!;

        Assert.Equal(activity, ActivityDefinition.Create(called, _ => null).Name);
    }

    [Fact]
    public void Payloads_survive_temporals_data_converter()
    {
        var converter = DataConverter.Default.PayloadConverter;
        var prepared = new PreparedJob("j-abcd1234", "production", "specific-job-abcd1234", "web", "web:1", "{\"kind\":\"Job\"}", ["sidecar `envoy` not replicated"]);
        var checkpoint = new FollowCheckpoint(42, DateTimeOffset.Parse("2026-11-27T10:00:00.123+00:00", System.Globalization.CultureInfo.InvariantCulture), Running: true);
        var input = new RunJobInput("j-abcd1234", "web", "production", "echo hi", Resuming: true);
        var result = new JobFlowResult(JobState.Failed, true, 3, "The command exited with code 3.");

        var preparedBack = converter.ToValue<PrepareJobResult>(converter.ToPayload(new PrepareJobResult(prepared))).Job!;

        Assert.Equal(prepared.JobJson, preparedBack.JobJson);
        Assert.Equal(prepared.Notes, preparedBack.Notes);
        Assert.Equal(prepared with { Notes = preparedBack.Notes }, preparedBack);
        Assert.Equal(checkpoint, converter.ToValue<FollowCheckpoint>(converter.ToPayload(checkpoint)));
        Assert.Equal(input, converter.ToValue<RunJobInput>(converter.ToPayload(input)));
        Assert.Equal(result, converter.ToValue<JobFlowResult>(converter.ToPayload(result)));
        Assert.Equal(
            new PrepareJobResult(null, JobState.Cancelled),
            converter.ToValue<PrepareJobResult>(converter.ToPayload(new PrepareJobResult(null, JobState.Cancelled))));
    }

    [Fact]
    public void Run_input_carries_the_time_limit_and_an_input_from_before_limits_reads_as_none()
    {
        var converter = DataConverter.Default.PayloadConverter;
        var limited = new RunJobInput("j-abcd1234", "web", "production", "sleep 60") { Timeout = TimeSpan.FromSeconds(90) };
        // What a workflow started before limits existed holds as its input: the same record without the property.
        var older = converter.ToPayload(new { JobId = "j-abcd1234", Service = "web", Environment = "production", Command = "sleep 60", Resuming = true });

        Assert.Equal(limited, converter.ToValue<RunJobInput>(converter.ToPayload(limited)));
        Assert.Equal(new RunJobInput("j-abcd1234", "web", "production", "sleep 60", Resuming: true), converter.ToValue<RunJobInput>(older));
    }

    [Fact]
    public void Temporal_mode_registers_the_temporal_launcher_with_the_configured_server()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Temporal:Address"] = "temporal.example:7233",
                ["Temporal:Namespace"] = "jobs",
            })
            .Build();
        using var provider = Engine().AddJobEngine(configuration, JobEngineMode.Temporal).BuildServiceProvider();

        Assert.IsType<TemporalJobLauncher>(provider.GetRequiredService<IJobLauncher>());
        var client = provider.GetRequiredService<IOptionsMonitor<TemporalClientConnectOptions>>().CurrentValue;
        Assert.Equal("temporal.example:7233", client.TargetHost);
        Assert.Equal("jobs", client.Namespace);
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), service => service is InProcessJobRunner);
        Assert.Contains(provider.GetServices<IHostedService>(), service => service is RecordedCancelDelivery);
    }

    [Fact]
    public void Worker_role_hosts_a_temporal_worker()
    {
        var services = Engine().AddJobWorker(new ConfigurationBuilder().Build());

        Assert.Contains(services, service => service.ServiceType == typeof(IHostedService));
        Assert.Contains(services, service => service.ServiceType == typeof(ITemporalClient));
        Assert.Contains(services, service => service.ServiceType == typeof(JobActivities));
    }

    private static ServiceCollection Engine()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IJobStore>(new InMemoryJobStore());
        services.AddSingleton<ILogStore>(new InMemoryLogStore());
        services.AddSingleton<IKubernetesJobs>(new FakeKubernetesJobs());
        return services;
    }
}
