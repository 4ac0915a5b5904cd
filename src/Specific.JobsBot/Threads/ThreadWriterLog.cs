namespace Specific.JobsBot.Threads;

/// <summary>What a thread writer logs, one message each.</summary>
internal static partial class ThreadWriterLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Thread of {JobId} is leased by another keeper")]
    public static partial void LeaseHeldElsewhere(this ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on the thread of {JobId}; stopping without writing")]
    public static partial void LeaseLost(this ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread of {JobId} is complete")]
    public static partial void ThreadClosed(this ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing the thread of {JobId} failed; the sweep will resume it")]
    public static partial void WriterFailed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack refused the blocks of a {Kind} for {JobId} ({Error}); sending the text alone")]
    public static partial void BlocksRefused(this ILogger logger, string jobId, string kind, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack refused a {Kind} for {JobId} ({Error}); skipping it")]
    public static partial void PostSkipped(this ILogger logger, string jobId, string kind, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack is misconfigured for {JobId} ({Error}); retrying slowly")]
    public static partial void ConfigurationError(this ILogger logger, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot write the thread of {JobId} any more ({Reason}); closing it")]
    public static partial void ThreadGone(this ILogger logger, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack refused the full log of {JobId} ({Error}); the thread ends without it")]
    public static partial void UploadRefused(this ILogger logger, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack rate-limited {Method} for {JobId}; waiting {Seconds} s")]
    public static partial void RateLimited(this ILogger logger, string jobId, string method, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} failed transiently for {JobId} ({Reason}); retrying in {Seconds} s")]
    public static partial void Transient(this ILogger logger, string jobId, string method, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Found the message of {JobId} already posted as {Ts}; adopting it")]
    public static partial void MessageAdopted(this ILogger logger, string jobId, string ts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Found the reply {Marker} of {JobId} already in its thread; not posting it again")]
    public static partial void ReplyAdopted(this ILogger logger, string jobId, string marker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the lease on {JobId} failed")]
    public static partial void ReleaseFailed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Told the person who started {JobId} that its thread stopped ({Error})")]
    public static partial void RequesterTold(this ILogger logger, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the person who started {JobId} that its thread stopped ({Error})")]
    public static partial void RequesterNotTold(this ILogger logger, Exception exception, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Told the person who started {JobId} by direct message that it ended")]
    public static partial void JobEndNoticeSent(this ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The person who started {JobId} turned end-of-job messages off")]
    public static partial void JobEndNoticeOff(this ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the person who started {JobId} by direct message that it ended; not trying again")]
    public static partial void JobEndNoticeFailed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack gave no link to the thread of {JobId}; the direct message names its channel instead")]
    public static partial void PermalinkMissing(this ILogger logger, Exception exception, string jobId);
}
