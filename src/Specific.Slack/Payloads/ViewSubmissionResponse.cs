using Specific.Slack.BlockKit;

namespace Specific.Slack.Payloads;

/// <summary>The body that answers a view_submission (an empty 200 closes the modal instead).</summary>
public sealed record ViewSubmissionResponse
{
    public const string ErrorsAction = "errors";
    public const string UpdateAction = "update";
    public const string PushAction = "push";
    public const string ClearAction = "clear";

    public required string ResponseAction { get; init; }

    /// <summary>block_id → message, shown under the matching input.</summary>
    public IReadOnlyDictionary<string, string>? Errors { get; init; }

    public ModalView? View { get; init; }

    /// <summary>Shows each message under its input block; the modal stays open.</summary>
    public static ViewSubmissionResponse WithErrors(IReadOnlyDictionary<string, string> errors) =>
        new() { ResponseAction = ErrorsAction, Errors = errors };

    /// <summary>Replaces the current view.</summary>
    public static ViewSubmissionResponse Update(ModalView view) => new() { ResponseAction = UpdateAction, View = view };

    /// <summary>Pushes a view on top of the current one.</summary>
    public static ViewSubmissionResponse Push(ModalView view) => new() { ResponseAction = PushAction, View = view };

    /// <summary>Closes every view of the stack.</summary>
    public static ViewSubmissionResponse Clear() => new() { ResponseAction = ClearAction };
}
