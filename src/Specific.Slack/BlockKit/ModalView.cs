namespace Specific.Slack.BlockKit;

/// <summary>A modal view for views.open/update/push and for a view_submission's update/push answer.</summary>
public sealed record ModalView(PlainText Title, IReadOnlyList<Block> Blocks)
{
    /// <summary>Always "modal".</summary>
    public string Type => "modal";

    public string? CallbackId { get; init; }
    public PlainText? Submit { get; init; }
    public PlainText? Close { get; init; }

    /// <summary>Up to 3000 characters that come back with the submission.</summary>
    public string? PrivateMetadata { get; init; }

    public string? ExternalId { get; init; }
    public bool? ClearOnClose { get; init; }
    public bool? NotifyOnClose { get; init; }
}
