namespace Specific.Jobs.Storage;

/// <summary>One step of a store's schema history; applied once, in version order, and recorded in schema_migrations.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
