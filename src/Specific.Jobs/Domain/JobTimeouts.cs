using Humanizer;

namespace Specific.Jobs.Domain;

/// <summary>
/// A job's time limit as configuration sets it for an environment or a service: the limit a job gets when its request
/// names none, and the largest one a request may ask for. Either may be left unset to inherit.
/// </summary>
public sealed class TimeoutSettings
{
    /// <summary>The limit of a job that asks for none.</summary>
    public TimeSpan? Default { get; init; }

    /// <summary>The largest limit a job may ask for.</summary>
    public TimeSpan? Max { get; init; }
}

/// <summary>The time limits that hold for one service in one environment, every level resolved.</summary>
public sealed record TimeoutRange(TimeSpan Default, TimeSpan Max)
{
    /// <summary>The shortest limit a job may have: Kubernetes counts activeDeadlineSeconds in whole seconds above 0.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(1);

    /// <summary>What holds where nothing is configured, so that no job runs forever.</summary>
    public static readonly TimeoutRange BuiltIn = new(TimeSpan.FromHours(1), TimeSpan.FromHours(24));

    /// <summary>True when <paramref name="limit"/> may be asked for.</summary>
    public bool Allows(TimeSpan limit) => limit >= Min && limit <= Max;
}

/// <summary>How a job's limit becomes Kubernetes' activeDeadlineSeconds and back.</summary>
public static class JobTimeouts
{
    /// <summary>The limit in whole seconds, rounded up so a job never gets less than it asked for.</summary>
    public static long ToSeconds(TimeSpan limit) => (long)Math.Ceiling(limit.TotalSeconds);

    /// <summary>A time limit in words, to the second and in hours at most: "2 seconds", "1 hour, 30 minutes", "24 hours".</summary>
    public static string Describe(TimeSpan limit) =>
        limit.Humanize(precision: 3, maxUnit: TimeUnit.Hour, minUnit: TimeUnit.Second);
}
