namespace Specific.Jobs.Storage;

/// <summary>
/// A store's schema as a migration left it: the highest step this code knows, and the highest recorded in the store.
/// <see cref="Found"/> above <see cref="Known"/> is a newer release's schema (a rolled-back pod, or an old pod still
/// running during an upgrade); expand-only migrations make that safe to work on, so it is reported, not refused.
/// </summary>
public sealed record SchemaVersion(int Known, int Found)
{
    /// <summary>The store was migrated by a newer release than this one.</summary>
    public bool IsNewer => Found > Known;

    /// <summary>"7", or "9 (newer than 7, the latest this release knows)".</summary>
    public string Describe() => IsNewer ? $"{Found} (newer than {Known}, the latest this release knows)" : $"{Found}";
}
