using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Specific.Jobs.Domain;
using Specific.Jobs.Testing;
using Specific.JobsBot.Guardrails;
using Specific.JobsBot.Runs;
using Specific.JobsBot.Tests.Guardrails;

namespace Specific.JobsBot.Tests.Runs;

/// <summary>
/// The run gate's approval outcome: a run the policy would let through waits for a second person instead; confirmation
/// comes first; the Re-run form is told too; and an approval is never inherited from the request that comes in.
/// </summary>
public sealed class RunGateApprovalTests : IDisposable
{
    private const string Production = "Guardrails:Environments:production";

    private readonly PolicyHost _host = new(new Dictionary<string, string?>
    {
        [$"{Production}:Run:Users:0"] = "*",
        [$"{Production}:RequireConfirmation"] = "false",
        [$"{Production}:Services:payments:RequireConfirmation"] = "true",
        [$"{Production}:Services:payments:Approval:Approvers:Users:0"] = "U0ALICE",
        [$"{Production}:Services:web:Approval:Approvers:Users:0"] = "U0ALICE",
        [$"{Production}:Services:web:ExclusiveRun"] = "true",
        ["Guardrails:Environments:staging:Run:Users:0"] = "*",
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunGate Gate => new(
        new RunGuard(_host.Policy, new InMemoryJobStore(), _host.Services.GetRequiredService<SavedTaskCatalog>()),
        new AuditTrail(TimeProvider.System, NullLogger<AuditTrail>.Instance),
        new ChannelReach(_host.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, NullLogger<ChannelReach>.Instance),
        _host.Services.GetRequiredService<ApprovalRules>());

    private static RunAttempt Attempt(string service, string environment = "production") => new(
        new JobRequest(service, environment, "echo hi", null, new JobOrigin("api", UserId: "U0SANDBOX")) { ApprovedBy = "U0FORGED", JobId = "j-forged01" },
        new Actor("U0SANDBOX", "C0OPS", "T1"),
        "/specific job run " + service);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_run_under_an_approval_policy_needs_approval_carrying_the_rule_the_approvers_and_its_run_alone_flag()
    {
        var outcome = await Gate.CheckAsync(Attempt("web"), RunGateMoment.BeforeStart, Ct);

        var needed = Assert.IsType<RunNeedsApproval>(outcome);
        Assert.Equal(($"{Production}:Services:web:Approval", "<@U0ALICE>"), (needed.Approval.Rule, needed.Approval.Who));
        Assert.True(needed.Request.RunAlone);
        // Whatever came in, the approval is the gate's to ask for: never inherited, never forged.
        Assert.Equal((null, null), (needed.Request.ApprovedBy, needed.Request.JobId));
        Assert.Equal($"{Production}:Run:Users; {Production}:Services:web:Approval", needed.AllowedBy);
    }

    [Fact]
    public async Task Without_an_approval_policy_the_run_is_allowed_and_the_re_run_form_hears_of_the_approval()
    {
        Assert.IsType<RunAllowed>(await Gate.CheckAsync(Attempt("worker"), RunGateMoment.BeforeStart, Ct));
        Assert.IsType<RunAllowed>(await Gate.CheckAsync(Attempt("web", "staging"), RunGateMoment.BeforeStart, Ct));
        Assert.IsType<RunNeedsApproval>(await Gate.CheckAsync(Attempt("web"), RunGateMoment.BeforeRerunForm, Ct));
    }

    [Fact]
    public async Task Confirmation_comes_first_and_a_confirmed_run_then_needs_approval_while_a_mistyped_one_is_refused()
    {
        var gate = Gate;
        var attempt = Attempt("payments");

        var needed = Assert.IsType<RunNeedsConfirmation>(await gate.CheckAsync(attempt, RunGateMoment.BeforeStart, Ct));

        Assert.IsType<RunRefused>(gate.Confirm(attempt, needed, "payment"));
        var confirmed = Assert.IsType<RunNeedsApproval>(gate.Confirm(attempt, needed, "payments"));
        Assert.Equal($"{Production}:Services:payments:Approval", confirmed.Approval.Rule);
    }
}
