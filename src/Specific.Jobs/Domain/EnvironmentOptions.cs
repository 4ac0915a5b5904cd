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
}

/// <summary>Where an environment lives: a namespace, and optionally a kubeconfig context.</summary>
public sealed class EnvironmentTarget
{
    public string Namespace { get; init; } = "";
    public string? Context { get; init; }
}
