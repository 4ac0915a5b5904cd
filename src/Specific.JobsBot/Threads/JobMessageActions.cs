namespace Specific.JobsBot.Threads;

/// <summary>
/// The action_ids of the job message's buttons: the renderer puts them on the buttons and the interaction
/// handlers dispatch on them. Each button's value is the job id.
/// </summary>
public static class JobMessageActions
{
    public const string Cancel = "job_cancel";
    public const string Rerun = "job_rerun";
    public const string FullLog = "job_full_log";
}
