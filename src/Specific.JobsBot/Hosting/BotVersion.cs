using System.Reflection;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// The release this process runs: the assembly's informational version (Directory.Build.props <c>Version</c>, plus
/// "+&lt;git commit&gt;" when built from a checkout), shown by /healthz and the start-up line, and the image's tag.
/// </summary>
public static class BotVersion
{
    /// <summary>The informational version, e.g. "0.9.0+0da4f96…", or "0.9.0" when built without git.</summary>
    public static string Current { get; } =
        typeof(BotVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BotVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>One line as the host starts: the release, the role and the job store's schema version.</summary>
    public static void LogStartup(this WebApplication app, BotRole role)
    {
        ArgumentNullException.ThrowIfNull(app);
        var schema = app.Services.GetService<StoreSchemaStatus>()?.JobStore;
        app.Logger.LogInformation(
            "Specific Jobs bot {Version} starting as {Role}; job store schema {Schema}",
            Current,
            role,
            schema?.Describe() ?? "not migrated");
    }
}
