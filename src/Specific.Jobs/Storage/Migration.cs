namespace Specific.Jobs.Storage;

/// <summary>
/// One step of a store's schema history; applied once, in version order, and recorded in schema_migrations. A step
/// only adds (expand): old pods keep working beside it. See MigrationRules in the tests for the few named exceptions.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>The schema version once <paramref name="migrations"/> are applied over the <paramref name="recorded"/> ones.</summary>
    internal static SchemaVersion VersionAfter(IReadOnlyList<Migration> migrations, IEnumerable<long> recorded)
    {
        var known = migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
        var found = (int)Math.Max(known, recorded.DefaultIfEmpty(0).Max());
        return new SchemaVersion(known, found);
    }
}
