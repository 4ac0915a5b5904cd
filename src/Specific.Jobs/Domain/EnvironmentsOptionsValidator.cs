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

            CheckTimeouts(failures, $"Environments__Targets__{environment}__Timeout", target.Timeout, options.TimeoutFor(environment, ""));
            foreach (var (service, settings) in target.Services)
            {
                CheckTimeouts(
                    failures, $"Environments__Targets__{environment}__Services__{service}__Timeout", settings.Timeout,
                    options.TimeoutFor(environment, service));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Each limit set is at least a second, and the default that holds there is within the maximum that holds there.</summary>
    private static void CheckTimeouts(List<string> failures, string key, TimeoutSettings set, TimeoutRange resolved)
    {
        foreach (var (part, value) in new[] { ("Default", set.Default), ("Max", set.Max) })
        {
            if (value is { } limit && limit < TimeoutRange.Min)
            {
                failures.Add($"{key}__{part} is {limit}; a job's time limit is at least one second. Set it like '00:10:00' (10 minutes).");
            }
        }

        if ((set.Default is not null || set.Max is not null) && resolved.Default > resolved.Max)
        {
            failures.Add(
                $"{key}__Default ({resolved.Default}) is above {key}__Max ({resolved.Max}), counting what is inherited from the " +
                "environment or the built-in limits (1 hour, at most 24 hours): lower the default or raise the maximum.");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceName();
}
