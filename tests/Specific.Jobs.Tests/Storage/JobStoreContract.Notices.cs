namespace Specific.Jobs.Tests.Storage;

/// <summary>The requester notices of the contract: a person's choice of a direct message, and each job's message claimed once.</summary>
public abstract partial class JobStoreContract
{
    [Fact]
    public async Task A_person_who_never_chose_has_no_choice_and_a_saved_choice_is_read_back_on_another_replica()
    {
        var first = (await OpenAsync()).Notices;
        var second = (await OpenAsync()).Notices;

        Assert.Null(await first.GetDmOnJobEndAsync("U0ALICE", Ct));
        await first.SetDmOnJobEndAsync("U0ALICE", on: false, Start, Ct);

        Assert.False(await second.GetDmOnJobEndAsync("U0ALICE", Ct));
        Assert.Null(await second.GetDmOnJobEndAsync("U0BOB", Ct));
    }

    [Fact]
    public async Task A_later_choice_replaces_the_earlier_one()
    {
        var store = (await OpenAsync()).Notices;
        await store.SetDmOnJobEndAsync("U0ALICE", on: false, Start, Ct);

        await store.SetDmOnJobEndAsync("U0ALICE", on: true, Start.AddMinutes(1), Ct);

        Assert.True(await store.GetDmOnJobEndAsync("U0ALICE", Ct));
    }

    [Fact]
    public async Task A_jobs_end_message_is_claimed_once_across_replicas()
    {
        var first = (await OpenAsync()).Notices;
        var second = (await OpenAsync()).Notices;

        var claims = new[]
        {
            await first.TryClaimJobEndDmAsync("j-aaaaaaaa", Start, Ct),
            await second.TryClaimJobEndDmAsync("j-aaaaaaaa", Start.AddSeconds(1), Ct),
            await first.TryClaimJobEndDmAsync("j-aaaaaaaa", Start.AddSeconds(2), Ct),
            await second.TryClaimJobEndDmAsync("j-bbbbbbbb", Start, Ct),
        };

        Assert.Equal([true, false, false, true], claims);
    }
}
