namespace Specific.Slack.WebApi;

/// <summary>Slack answered a Web API call with <c>ok: false</c>; retrying the same call will not help.</summary>
public class SlackApiException : Exception
{
    public SlackApiException(string method, string error, IReadOnlyList<string>? responseMetadataMessages = null)
        : base(Describe(method, error, responseMetadataMessages))
    {
        Method = method;
        Error = error;
        ResponseMetadataMessages = responseMetadataMessages ?? [];
    }

    public SlackApiException() : this("unknown", "unknown") { }
    public SlackApiException(string message) : this("unknown", message) { }
    public SlackApiException(string message, Exception innerException) : base(message, innerException)
    {
        Method = "unknown";
        Error = message;
        ResponseMetadataMessages = [];
    }

    /// <summary>The Web API method, such as "chat.postMessage".</summary>
    public string Method { get; }

    /// <summary>Slack's error code, such as "channel_not_found".</summary>
    public string Error { get; }

    /// <summary>Details from <c>response_metadata.messages</c> (for example which block was invalid).</summary>
    public IReadOnlyList<string> ResponseMetadataMessages { get; }

    private static string Describe(string method, string error, IReadOnlyList<string>? messages) =>
        messages is { Count: > 0 }
            ? $"Slack {method} failed: {error} ({string.Join("; ", messages)})"
            : $"Slack {method} failed: {error}";
}

/// <summary>Slack answered 429: wait <see cref="RetryAfter"/> before calling the method again. The client never retries.</summary>
public sealed class SlackRateLimitedException : Exception
{
    public SlackRateLimitedException(string method, TimeSpan retryAfter)
        : base($"Slack {method} is rate limited; retry after {retryAfter.TotalSeconds:0.###} s.")
    {
        Method = method;
        RetryAfter = retryAfter;
    }

    public SlackRateLimitedException() : this("unknown", TimeSpan.FromSeconds(1)) { }
    public SlackRateLimitedException(string message) : base(message) { Method = "unknown"; RetryAfter = TimeSpan.FromSeconds(1); }
    public SlackRateLimitedException(string message, Exception innerException) : base(message, innerException)
    {
        Method = "unknown";
        RetryAfter = TimeSpan.FromSeconds(1);
    }

    public string Method { get; }
    public TimeSpan RetryAfter { get; }
}

/// <summary>The call may succeed if tried again later: a 5xx, a timeout or a broken connection.</summary>
public sealed class SlackTransientException : Exception
{
    public SlackTransientException(string method, string reason, Exception? innerException = null)
        : base($"Slack {method} failed transiently: {reason}", innerException)
    {
        Method = method;
        Reason = reason;
    }

    public SlackTransientException() : this("unknown", "unknown") { }
    public SlackTransientException(string message) : this("unknown", message) { }
    public SlackTransientException(string message, Exception innerException) : this("unknown", message, innerException) { }

    public string Method { get; }
    public string Reason { get; }
}
