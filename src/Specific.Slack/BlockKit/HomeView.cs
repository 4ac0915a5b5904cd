namespace Specific.Slack.BlockKit;

/// <summary>The App Home tab of one person, for views.publish.</summary>
public sealed record HomeView(IReadOnlyList<Block> Blocks)
{
    /// <summary>Always "home".</summary>
    public string Type => "home";

    public string? CallbackId { get; init; }

    /// <summary>Up to 3000 characters that come back with the view's block_actions.</summary>
    public string? PrivateMetadata { get; init; }

    public string? ExternalId { get; init; }
}
