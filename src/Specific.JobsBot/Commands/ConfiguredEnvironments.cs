using Specific.Jobs.Domain;

namespace Specific.JobsBot.Commands;

/// <summary>The configured environments in the order every list of them shows: the default first, then by name.</summary>
public static class ConfiguredEnvironments
{
    public static IReadOnlyList<string> NamesOf(EnvironmentsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Targets.Keys
            .OrderBy(name => name == options.Default ? 0 : 1)
            .ThenBy(name => name, StringComparer.Ordinal)
            .ToList();
    }
}
