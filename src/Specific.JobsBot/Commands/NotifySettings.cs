using Microsoft.Extensions.Options;
using Specific.Jobs.Storage;
using Specific.JobsBot.Threads;
using Specific.Slack.BlockKit;

namespace Specific.JobsBot.Commands;

/// <summary>
/// <c>/specific notify [on|off]</c>: each person's choice of a direct message when a long job of theirs ends, kept in
/// the job store (<see cref="IRequesterNotices"/>). The answer is private and says what the setting now is.
/// </summary>
public sealed partial class NotifySettings(IRequesterNotices notices, IOptions<ThreadKeeperOptions> options, TimeProvider time, ILogger<NotifySettings> logger)
{
    /// <summary>Saves or shows the person's choice; a store that fails gets a reply saying nothing changed.</summary>
    public async Task<SlackMessage> AnswerAsync(NotifyCommand command, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var after = SlackText.Escape(JobMessage.Duration(options.Value.RequesterDmAfter));
        try
        {
            if (command.On is { } on)
            {
                await notices.SetDmOnJobEndAsync(userId, on, time.GetUtcNow(), cancellationToken);
                return SlackMessage.Ephemeral(on
                    ? $":bell: Done: when a job you started runs longer than {after}, you get a direct message as it ends. `/specific notify off` stops them."
                    : $":no_bell: Done: no more direct messages when your jobs end. The job's thread still mentions you at the end. `/specific notify on` turns them back on.");
            }

            var current = JobEndNotice.Wants(await notices.GetDmOnJobEndAsync(userId, cancellationToken));
            return SlackMessage.Ephemeral(current
                ? $":bell: On: when a job you started runs longer than {after}, you get a direct message as it ends. `/specific notify off` stops them."
                : $":no_bell: Off: you get no direct message when your jobs end; the job's thread still mentions you. `/specific notify on` turns them back on.");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(logger, exception);
            return SlackMessage.Ephemeral(":warning: The bot could not reach its store, so your notification setting is unchanged. Try again in a moment.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading or saving a notification setting failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
