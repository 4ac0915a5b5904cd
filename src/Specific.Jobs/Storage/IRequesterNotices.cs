namespace Specific.Jobs.Storage;

/// <summary>
/// What the bot remembers about telling a job's requester that it ended: each person's choice of a direct message
/// after a long job (<c>/specific notify on|off</c>), and which jobs' messages were already claimed, so one goes out
/// at most once across replicas and restarts.
/// </summary>
public interface IRequesterNotices
{
    /// <summary>The person's choice, or null when they never made one (the bot's default applies: on).</summary>
    Task<bool?> GetDmOnJobEndAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Saves the person's choice, replacing an earlier one.</summary>
    Task SetDmOnJobEndAsync(string userId, bool on, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the end-of-job direct message of one job: true for the first caller only, on any replica, ever. The
    /// claim is saved before the message is sent, so a crash in between loses that message rather than repeating it.
    /// </summary>
    Task<bool> TryClaimJobEndDmAsync(string jobId, DateTimeOffset at, CancellationToken cancellationToken);
}
