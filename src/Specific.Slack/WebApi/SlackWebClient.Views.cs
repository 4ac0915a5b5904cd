using Specific.Slack.BlockKit;

namespace Specific.Slack.WebApi;

public sealed partial class SlackWebClient
{
    /// <summary>
    /// Publishes <paramref name="view"/> as the Home tab of <paramref name="userId"/>, replacing what they had; with
    /// <paramref name="hash"/>, only if nobody published since (hash_conflict otherwise).
    /// </summary>
    public async Task<OpenedView> PublishViewAsync(
        string userId, HomeView view, string? hash = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(view);
        var response = await CallJsonAsync(Methods.ViewsPublish, new PublishViewBody(userId, view, hash), cancellationToken);
        return ReadView(Methods.ViewsPublish, response);
    }

    private sealed record PublishViewBody(string UserId, HomeView View, string? Hash);
}
