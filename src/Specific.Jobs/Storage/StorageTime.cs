namespace Specific.Jobs.Storage;

/// <summary>
/// Both stores keep instants in UTC at microsecond precision (PostgreSQL's timestamptz), so what a write returns
/// equals what a later read returns, whichever store is behind the interface.
/// </summary>
internal static class StorageTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset Normalize(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TicksPerMicrosecond), TimeSpan.Zero);

    public static long ToUnixMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;

    public static DateTimeOffset FromUnixMicroseconds(long micros) =>
        DateTimeOffset.UnixEpoch.AddTicks(micros * TicksPerMicrosecond);
}
