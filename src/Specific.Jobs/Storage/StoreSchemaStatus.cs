using Microsoft.Extensions.Logging;

namespace Specific.Jobs.Storage;

/// <summary>
/// The job store's schema version as this process's start-up migration found it, for the start-up line and /readyz.
/// A schema newer than this release knows is logged once as a warning naming both versions.
/// </summary>
public sealed class StoreSchemaStatus(ILogger<StoreSchemaStatus> logger)
{
    private SchemaVersion? _jobStore;

    /// <summary>Null until the job store has been migrated in this process.</summary>
    public SchemaVersion? JobStore => Volatile.Read(ref _jobStore);

    /// <summary>Null unless the job store's schema is newer than this release knows; else what that means and what to do.</summary>
    public string? NewerSchemaNote => JobStore is { IsNewer: true } schema
        ? $"The job store's schema is at version {schema.Found}, newer than {schema.Known}, the latest this release knows: "
          + "a newer release migrated it (this pod was rolled back, or an upgrade is under way). This release works on it, "
          + "since migrations only add; finish the upgrade or roll forward, and never roll the schema back by hand."
        : null;

    internal void Report(SchemaVersion? schema)
    {
        if (schema is null || Interlocked.CompareExchange(ref _jobStore, schema, null) is not null)
        {
            return;
        }

        if (schema.IsNewer)
        {
            logger.LogWarning(
                "The job store's schema is at version {FoundVersion}, newer than {KnownVersion}, the latest this release knows; working on it (migrations only add)",
                schema.Found,
                schema.Known);
        }
    }
}
