namespace Specific.Jobs.Domain;

/// <summary>The environments jobs may run in. Bound from the "Environments" configuration section.</summary>
public sealed class EnvironmentsOptions
{
    public const string Section = "Environments";

    /// <summary>Environment name to where it lives. "production" maps to namespace "production" unless set.</summary>
    public Dictionary<string, EnvironmentTarget> Targets { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The environment used when a command names none.</summary>
    public string Default { get; init; } = "production";

    /// <summary>The target of an environment, or null when it is not configured.</summary>
    public EnvironmentTarget? Find(string environment) =>
        Targets.TryGetValue(environment, out var target) ? target : null;

    /// <summary>
    /// The time limits of a service's jobs in an environment: each of the default and the maximum comes from the
    /// service's settings, else the environment's, else <see cref="TimeoutRange.BuiltIn"/>.
    /// </summary>
    public TimeoutRange TimeoutFor(string environment, string service)
    {
        var target = Find(environment);
        ServiceSettings? byService = null;
        target?.Services.TryGetValue(service, out byService);
        return new TimeoutRange(
            byService?.Timeout.Default ?? target?.Timeout.Default ?? TimeoutRange.BuiltIn.Default,
            byService?.Timeout.Max ?? target?.Timeout.Max ?? TimeoutRange.BuiltIn.Max);
    }
}

/// <summary>Where an environment lives: a namespace, and optionally a kubeconfig context; and its jobs' time limits.</summary>
public sealed class EnvironmentTarget
{
    public string Namespace { get; init; } = "";
    public string? Context { get; init; }

    /// <summary>The time limits of the environment's jobs; unset parts fall back to <see cref="TimeoutRange.BuiltIn"/>.</summary>
    public TimeoutSettings Timeout { get; init; } = new();

    /// <summary>Service (Deployment) name to its own settings, which override the environment's.</summary>
    public Dictionary<string, ServiceSettings> Services { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>What one service sets for its jobs in one environment.</summary>
public sealed class ServiceSettings
{
    /// <summary>The time limits of the service's jobs; unset parts fall back to the environment's.</summary>
    public TimeoutSettings Timeout { get; init; } = new();
}
