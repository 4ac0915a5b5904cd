using Specific.Jobs.Domain;
using Specific.Jobs.Storage;

namespace Specific.Jobs.Tests.Storage;

/// <summary>The guardrails' part of the contract: the audit trail, and a job that runs alone.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task Audit_entry_keeps_every_field_and_gets_an_id()
    {
        var audit = (await OpenAsync()).Audit;
        var entry = new AuditEntry(
            0, Start.AddTicks(1234567), AuditAction.Run, AuditOutcome.Refused, "production", "web", null, "T1", "U1", "C1",
            "job run web -- rake db:migrate", "Guardrails:Environments:production:Run:Users", "U1 is not listed");

        var appended = await audit.AppendAsync(entry, Ct);
        var listed = Assert.Single(await audit.ListAsync(new AuditQuery(), Ct));

        Assert.True(appended.Id > 0);
        Assert.Equal(entry with { Id = appended.Id, At = new DateTimeOffset(entry.At.UtcTicks - (entry.At.UtcTicks % 10), TimeSpan.Zero) }, appended);
        Assert.Equal(appended, listed);
    }

    [Theory]
    [InlineData(AuditAction.Run, AuditOutcome.Allowed)]
    [InlineData(AuditAction.Rerun, AuditOutcome.ConfirmationRequested)]
    [InlineData(AuditAction.Confirm, AuditOutcome.Refused)]
    [InlineData(AuditAction.Cancel, AuditOutcome.Allowed)]
    [InlineData(AuditAction.Audit, AuditOutcome.Refused)]
    [InlineData(AuditAction.Logs, AuditOutcome.Allowed)]
    [InlineData(AuditAction.Logs, AuditOutcome.Refused)]
    [InlineData(AuditAction.Run, AuditOutcome.ApprovalRequested)]
    [InlineData(AuditAction.Approve, AuditOutcome.Allowed)]
    [InlineData(AuditAction.Approve, AuditOutcome.Refused)]
    [InlineData(AuditAction.Deny, AuditOutcome.Allowed)]
    [InlineData(AuditAction.Withdraw, AuditOutcome.Refused)]
    [InlineData(AuditAction.Expire, AuditOutcome.Allowed)]
    public async Task Every_action_and_outcome_reads_back_as_written(AuditAction action, AuditOutcome outcome)
    {
        var audit = (await OpenAsync()).Audit;

        await audit.AppendAsync(new AuditEntry(0, Start, action, outcome, "staging", null, "j-abcdefgh", null, "U1", null, null, null, null), Ct);

        var read = Assert.Single(await audit.ListAsync(new AuditQuery(), Ct));
        Assert.Equal((action, outcome), (read.Action, read.Outcome));
    }

    [Fact]
    public async Task Audit_is_newest_first_filters_by_environment_and_service_and_is_bounded()
    {
        var replicas = new[] { (await OpenAsync()).Audit, (await OpenAsync()).Audit };
        var entries = new List<AuditEntry>();
        for (var i = 0; i < 6; i++)
        {
            var entry = new AuditEntry(
                0, Start.AddSeconds(i), AuditAction.Run, AuditOutcome.Allowed, i % 3 == 2 ? "staging" : "production",
                i % 2 == 0 ? "web" : "worker", null, "T1", "U" + i, "C1", "echo " + i, null, null);
            entries.Add(await replicas[i % 2].AppendAsync(entry, Ct));
        }

        long[] Ids(IEnumerable<AuditEntry> found) => found.Select(e => e.Id).ToArray();
        Assert.Equal(Ids(entries.AsEnumerable().Reverse()), Ids(await replicas[0].ListAsync(new AuditQuery(), Ct)));
        Assert.Equal(Ids(new[] { entries[4], entries[3], entries[1], entries[0] }), Ids(await replicas[1].ListAsync(new AuditQuery("production"), Ct)));
        Assert.Equal(Ids(new[] { entries[4], entries[0] }), Ids(await replicas[1].ListAsync(new AuditQuery("production", "web"), Ct)));
        Assert.Equal(Ids(new[] { entries[5], entries[4] }), Ids(await replicas[0].ListAsync(new AuditQuery(Limit: 2), Ct)));
        Assert.Empty(await replicas[0].ListAsync(new AuditQuery("production", "api"), Ct));
    }

    [Fact]
    public async Task Job_that_runs_alone_is_refused_while_its_service_has_an_unfinished_job_and_names_it()
    {
        var store = (await OpenAsync()).Jobs;
        var running = await BringToAsync(store, JobState.Running);

        var busy = await Assert.ThrowsAsync<ServiceBusyException>(() => store.CreateAsync(AloneRequest("web"), Ct));

        Assert.Equal(running.Id, busy.Running.Id);
        Assert.Equal([running.Id], (await store.ListAsync(new JobQuery(), Ct)).Select(j => j.Id));
    }

    [Fact]
    public async Task Job_that_runs_alone_starts_when_the_others_have_ended_or_belong_elsewhere()
    {
        var store = (await OpenAsync()).Jobs;
        await BringToAsync(store, JobState.Succeeded);
        await CreateAsync(store, "worker");
        await CreateAsync(store, "web", "staging");

        var alone = await store.CreateAsync(AloneRequest("web"), Ct);

        Assert.Equal(JobState.Pending, alone.State);
    }

    [Fact]
    public async Task Of_concurrent_starts_that_run_alone_on_two_replicas_exactly_one_is_recorded()
    {
        var replicas = new[] { (await OpenAsync()).Jobs, (await OpenAsync()).Jobs };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                return (JobRecord?)await replicas[i % 2].CreateAsync(AloneRequest("web"), Ct);
            }
            catch (ServiceBusyException)
            {
                return null;
            }
        })));

        var started = Assert.Single(attempts, a => a is not null);
        Assert.Equal([started!.Id], (await replicas[0].ListAsync(new JobQuery("web"), Ct)).Select(j => j.Id));
    }

    private static JobRequest AloneRequest(string service) =>
        new(service, "production", "./backfill", null, new JobOrigin(JobOrigin.Slack, "T1", "C1", "U2"), RunAlone: true);
}
