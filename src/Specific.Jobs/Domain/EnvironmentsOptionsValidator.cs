using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Specific.Jobs.Domain;

/// <summary>Refuses environments that cannot be reached, naming the environment variable that fixes each.</summary>
internal sealed partial class EnvironmentsOptionsValidator : IValidateOptions<EnvironmentsOptions>
{
    public ValidateOptionsResult Validate(string? name, EnvironmentsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Default))
        {
            failures.Add("Environments__Default is empty: set it to the environment a command without --env runs in, for example 'production'.");
        }

        foreach (var (environment, target) in options.Targets)
        {
            var key = $"Environments__Targets__{environment}__Namespace";
            if (string.IsNullOrWhiteSpace(target.Namespace))
            {
                failures.Add($"{key} is not set: set it to the Kubernetes namespace the {environment} environment's Deployments live in.");
            }
            else if (!NamespaceName().IsMatch(target.Namespace))
            {
                failures.Add($"{key} is '{target.Namespace}', not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceName();
}
