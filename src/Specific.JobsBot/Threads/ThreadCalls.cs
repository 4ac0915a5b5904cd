using Specific.Slack.WebApi;

namespace Specific.JobsBot.Threads;

/// <summary>The vocabulary of a thread writer's Slack calls: what kind each is, and how it went.</summary>
internal static class ThreadCalls
{
    /// <summary>The kinds of Slack call a thread writer counts in its metrics.</summary>
    internal static class Kinds
    {
        public const string MessagePost = "message_post";
        public const string MessageUpdate = "message_update";
        public const string StateReply = "state_reply";
        public const string Excerpt = "excerpt";
        public const string FinalReply = "final_reply";
        public const string FileUpload = "file_upload";
        public const string Reconcile = "reconcile";
    }

    /// <summary>How one Slack call of a thread writer went.</summary>
    internal abstract record CallOutcome<T>
    {
        public sealed record Done(T Result) : CallOutcome<T>;
        public sealed record TryAgain : CallOutcome<T>;
        public sealed record Refused(SlackApiException Error) : CallOutcome<T>;
    }
}
