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

        /// <summary>Not now (429, 5xx); after a transient failure Slack may have taken the call and lost only its answer.</summary>
        public sealed record TryAgain(bool AnswerMayBeLost) : CallOutcome<T>;

        public sealed record Refused(SlackApiException Error) : CallOutcome<T>;
    }

    /// <summary>What became of one post, update or upload, and so what the writer does next.</summary>
    internal abstract record PostOutcome<T>
    {
        /// <summary>True when the thread moves on: the post went out, or was given up for good.</summary>
        public bool MovesOn => this is Posted or Skipped;

        public sealed record Posted(T Result) : PostOutcome<T>;

        /// <summary>Slack refused this one post for good: the thread moves on without it.</summary>
        public sealed record Skipped : PostOutcome<T>;

        /// <summary>The step is tried again later; after a transient failure Slack may have taken the post and lost only its answer.</summary>
        public sealed record NotYet(bool AnswerMayBeLost) : PostOutcome<T>;

        /// <summary>Nothing can be written in this thread again: the writer closes it.</summary>
        public sealed record Gone(string Error) : PostOutcome<T>;
    }
}
