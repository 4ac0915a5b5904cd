using Specific.Jobs.Domain;
using Specific.Jobs.Flow;
using Specific.Jobs.Kubernetes;

namespace Specific.Jobs.Tests.Flow;

public sealed class JobFlowTests
{
    private static readonly RunJobInput Input = new("j-abcd1234", "web", "production", "echo hi");

    [Fact]
    public async Task Successful_command_is_recorded_succeeded_without_deleting_the_job()
    {
        var steps = new ScriptedSteps { End = new JobEnd(true, 0, null) };

        var result = await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare", "create", "follow", "record succeeded"], steps.Calls);
        Assert.Equal(new RecordOutcomeInput(Input.JobId, JobState.Succeeded, 0), steps.Recorded);
        Assert.Equal(new JobFlowResult(JobState.Succeeded, true, 0), result);
    }

    [Fact]
    public async Task Non_zero_exit_is_recorded_failed_with_the_exit_code_and_the_job_left_for_its_ttl()
    {
        var steps = new ScriptedSteps { End = new JobEnd(false, 3, null) };

        var result = await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare", "create", "follow", "record failed"], steps.Calls);
        Assert.Equal(3, steps.Recorded!.ExitCode);
        Assert.Equal("The command exited with code 3.", steps.Recorded.FailureReason);
        Assert.Equal(JobState.Failed, result.State);
    }

    [Fact]
    public async Task Pod_that_never_started_is_deleted_and_recorded_failed_with_the_kubernetes_reason()
    {
        const string reason = "The image registry.example/web:9 cannot be pulled: not found.";
        var steps = new ScriptedSteps { End = new JobEnd(false, null, reason) };

        await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare", "create", "follow", "delete", "record failed"], steps.Calls);
        Assert.Equal(reason, steps.Recorded!.FailureReason);
        Assert.Null(steps.Recorded.ExitCode);
    }

    [Fact]
    public async Task Rejection_is_recorded_failed_with_its_reason_and_nothing_is_created()
    {
        const string reason = "Service `web` is not deployed in production (no Deployment `web` in namespace production).";
        var steps = new ScriptedSteps
        {
            OnPrepare = _ => throw JobStepException.Rejected(JobStep.Prepare, reason, "NotDeployed"),
        };

        var result = await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare", "record failed"], steps.Calls);
        Assert.Equal(new RecordOutcomeInput(Input.JobId, JobState.Failed, null, reason), steps.Recorded);
        Assert.Equal(reason, result.FailureReason);
    }

    [Fact]
    public async Task Follow_out_of_retries_deletes_the_job_so_nothing_runs_unfollowed()
    {
        var steps = new ScriptedSteps
        {
            OnFollow = _ => throw JobStepException.OutOfRetries(JobStep.Follow, "connection refused"),
        };

        await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare", "create", "follow", "delete", "record failed"], steps.Calls);
        Assert.Equal("The job engine could not follow the Kubernetes Job: connection refused", steps.Recorded!.FailureReason);
    }

    [Fact]
    public async Task Cancel_before_create_records_cancelled_without_touching_kubernetes()
    {
        using var cancel = new CancellationTokenSource();
        var steps = new ScriptedSteps
        {
            OnPrepare = async _ =>
            {
                await cancel.CancelAsync();
                return new PrepareJobResult(Prepared());
            },
        };

        var result = await JobFlow.RunAsync(Input, steps, cancel.Token);

        Assert.Equal(["prepare", "record cancelled"], steps.Calls);
        Assert.Equal(new JobFlowResult(JobState.Cancelled, true), result);
    }

    [Fact]
    public async Task Cancel_of_a_queued_job_records_cancelled_without_any_step()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var steps = new ScriptedSteps();

        await JobFlow.RunAsync(Input, steps, cancel.Token);

        Assert.Equal(["record cancelled"], steps.Calls);
    }

    [Fact]
    public async Task Cancel_mid_follow_deletes_the_job_on_a_detached_token_then_records_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var steps = new ScriptedSteps
        {
            OnFollow = async token =>
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, token);
                return new JobEnd(true, 0, null);
            },
        };

        var result = await JobFlow.RunAsync(Input, steps, cancel.Token);

        Assert.Equal(["prepare", "create", "follow", "delete", "record cancelled"], steps.Calls);
        Assert.Equal(new DeleteJobInput(Input.JobId, Input.Environment), steps.Deleted);
        Assert.False(steps.DeleteToken.IsCancellationRequested);
        Assert.True(steps.DeleteToken.CanBeCanceled, "cleanup runs on its own token, not CancellationToken.None");
        Assert.False(steps.RecordToken.IsCancellationRequested);
        Assert.Equal(new JobFlowResult(JobState.Cancelled, true), result);
    }

    [Fact]
    public async Task Resumed_flow_cancelled_before_create_still_deletes_the_job_its_predecessor_may_have_created()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var steps = new ScriptedSteps();

        await JobFlow.RunAsync(Input with { Resuming = true }, steps, cancel.Token);

        Assert.Equal(["delete", "record cancelled"], steps.Calls);
    }

    [Fact]
    public async Task Cancel_whose_delete_fails_is_recorded_failed_saying_the_job_may_still_run()
    {
        using var cancel = new CancellationTokenSource();
        var steps = new ScriptedSteps
        {
            OnFollow = async token =>
            {
                await cancel.CancelAsync();
                token.ThrowIfCancellationRequested();
                return new JobEnd(true, 0, null);
            },
            OnDelete = () => throw JobStepException.OutOfRetries(JobStep.Delete, "forbidden"),
        };

        var result = await JobFlow.RunAsync(Input, steps, cancel.Token);

        Assert.Equal(JobState.Failed, steps.Recorded!.To);
        Assert.Contains("may still be running", steps.Recorded.FailureReason, StringComparison.Ordinal);
        Assert.Contains("forbidden", steps.Recorded.FailureReason, StringComparison.Ordinal);
        Assert.Equal(JobState.Failed, result.State);
    }

    [Fact]
    public async Task Lost_race_on_record_is_not_an_error()
    {
        var steps = new ScriptedSteps
        {
            End = new JobEnd(true, 0, null),
            OnRecord = _ => new RecordOutcomeResult(false, JobState.Cancelled),
        };

        var result = await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(new JobFlowResult(JobState.Cancelled, Recorded: false, ExitCode: 0), result);
    }

    [Fact]
    public async Task Job_that_already_ended_gets_no_kubernetes_job_and_no_record()
    {
        var steps = new ScriptedSteps { OnPrepare = _ => Task.FromResult(new PrepareJobResult(null, JobState.Cancelled)) };

        var result = await JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken);

        Assert.Equal(["prepare"], steps.Calls);
        Assert.Equal(new JobFlowResult(JobState.Cancelled, false), result);
    }

    [Fact]
    public async Task Runner_stopping_mid_follow_propagates_without_recording_or_deleting()
    {
        using var stopping = new CancellationTokenSource();
        var steps = new ScriptedSteps
        {
            OnFollow = async _ =>
            {
                await stopping.CancelAsync();
                stopping.Token.ThrowIfCancellationRequested();
                return new JobEnd(true, 0, null);
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => JobFlow.RunAsync(Input, steps, TestContext.Current.CancellationToken));

        Assert.Equal(["prepare", "create", "follow"], steps.Calls);
    }

    private static PreparedJob Prepared() =>
        new(Input.JobId, "production", JobIds.KubernetesJobName(Input.JobId), "web", "web:1", "{}", []);

    /// <summary>Steps that record what the flow asked, in order, and answer as scripted.</summary>
    private sealed class ScriptedSteps : IJobFlowSteps
    {
        public List<string> Calls { get; } = [];

        public JobEnd End { get; init; } = new(true, 0, null);

        public Func<CancellationToken, Task<PrepareJobResult>> OnPrepare { get; init; } =
            _ => Task.FromResult(new PrepareJobResult(Prepared()));

        public Func<CancellationToken, Task<JobEnd>>? OnFollow { get; init; }

        public Action? OnDelete { get; init; }

        public Func<RecordOutcomeInput, RecordOutcomeResult> OnRecord { get; init; } =
            input => new RecordOutcomeResult(true, input.To);

        public RecordOutcomeInput? Recorded { get; private set; }

        public DeleteJobInput? Deleted { get; private set; }

        public CancellationToken DeleteToken { get; private set; }

        public CancellationToken RecordToken { get; private set; }

        public Task<PrepareJobResult> PrepareAsync(RunJobInput input, CancellationToken cancellationToken)
        {
            Calls.Add("prepare");
            return OnPrepare(cancellationToken);
        }

        public Task CreateAsync(PreparedJob job, CancellationToken cancellationToken)
        {
            Calls.Add("create");
            return Task.CompletedTask;
        }

        public Task<JobEnd> FollowAsync(FollowJobInput input, CancellationToken cancellationToken)
        {
            Calls.Add("follow");
            return OnFollow?.Invoke(cancellationToken) ?? Task.FromResult(End);
        }

        public Task DeleteAsync(DeleteJobInput input, CancellationToken cancellationToken)
        {
            Calls.Add("delete");
            Deleted = input;
            DeleteToken = cancellationToken;
            OnDelete?.Invoke();
            return Task.CompletedTask;
        }

        public Task<RecordOutcomeResult> RecordAsync(RecordOutcomeInput input, CancellationToken cancellationToken)
        {
            Calls.Add("record " + input.To.ToWire());
            Recorded = input;
            RecordToken = cancellationToken;
            return Task.FromResult(OnRecord(input));
        }
    }
}
