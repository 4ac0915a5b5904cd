using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Domain;

namespace Specific.JobsBot.Guardrails;

/// <summary>
/// Checks the policy before the bot serves anyone: every entry names a configured environment, a valid service, and
/// Slack ids of the right kind, and no key is misspelt (a misspelt key would silently leave a door closed or open).
/// Each problem names the configuration entry, as in <c>Guardrails:Environments:production:Run:Users:0</c>.
/// </summary>
public sealed partial class GuardrailsOptionsValidator(IConfiguration configuration, IOptions<EnvironmentsOptions> environments)
    : IValidateOptions<GuardrailsOptions>
{
    private static readonly string[] RootKeys = ["Environments", "Admins", "GroupCacheDuration"];
    private static readonly string[] EnvironmentKeys = ["Run", "Admins", "RequireConfirmation", "Services", "Approval", "SavedTasksOnly"];
    private static readonly string[] ServiceKeys = ["Run", "RequireConfirmation", "ExclusiveRun", "Approval", "SavedTasksOnly"];
    private static readonly string[] ApprovalKeys = ["Approvers", "Channel", "Expiry"];
    private static readonly string[] AudienceKeys = ["Users", "Groups", "Channels"];
    private static readonly string[] PeopleKeys = ["Users", "Groups"];

    public ValidateOptionsResult Validate(string? name, GuardrailsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        CheckKeys(configuration.GetSection(GuardrailsOptions.Section), problems);

        if (options.GroupCacheDuration <= TimeSpan.Zero || options.GroupCacheDuration > TimeSpan.FromHours(1))
        {
            problems.Add($"{GuardrailsOptions.Section}:GroupCacheDuration is {options.GroupCacheDuration}; use a duration between 00:00:01 and 01:00:00.");
        }

        CheckPeople($"{GuardrailsOptions.Section}:Admins", options.Admins, problems);
        var configured = environments.Value.Targets.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var (environment, policy) in options.Environments)
        {
            var path = $"{GuardrailsOptions.Section}:Environments:{environment}";
            if (!environments.Value.Targets.ContainsKey(environment))
            {
                problems.Add(configured.Count == 0
                    ? $"{path} names an environment that is not configured: Environments:Targets is empty."
                    : $"{path} names an environment that is not configured; Environments:Targets has {string.Join(", ", configured)}.");
            }

            CheckAudience($"{path}:Run", policy.Run, problems);
            CheckPeople($"{path}:Admins", policy.Admins, problems);
            CheckApproval($"{path}:Approval", policy.Approval, problems);
            foreach (var (service, servicePolicy) in policy.Services)
            {
                var servicePath = $"{path}:Services:{service}";
                if (!ServiceName().IsMatch(service))
                {
                    problems.Add($"{servicePath}: '{service}' is not a service name (a Deployment name: lowercase letters, digits and '-', at most 63).");
                }

                CheckAudience($"{servicePath}:Run", servicePolicy.Run, problems);
                CheckApproval($"{servicePath}:Approval", servicePolicy.Approval, problems);
            }
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => "Invalid guardrails policy: " + p));
    }

    private static void CheckAudience(string path, Audience? audience, List<string> problems)
    {
        if (audience is null)
        {
            return;
        }

        CheckIds($"{path}:Users", audience.Users, UserId(), "a Slack member ID looks like U024BE7LH (profile → ⋮ → Copy member ID), or \"*\" for anyone", problems, allowAnyone: true);
        CheckIds($"{path}:Groups", audience.Groups, GroupId(), "a user group ID looks like S0614TZR7", problems);
        CheckIds($"{path}:Channels", audience.Channels, ChannelId(), "a channel ID looks like C024BE91L (channel details → About, at the bottom)", problems);
    }

    private static void CheckApproval(string path, ApprovalPolicy? approval, List<string> problems)
    {
        if (approval is null)
        {
            return;
        }

        if (approval.Approvers.IsEmpty)
        {
            problems.Add($"{path}:Approvers names nobody, so no job there could ever start; list Slack member IDs under {path}:Approvers:Users or user group IDs under {path}:Approvers:Groups.");
        }

        CheckPeople($"{path}:Approvers", approval.Approvers, problems);
        if (approval.Channel is { } channel && !string.IsNullOrWhiteSpace(channel) && !ChannelId().IsMatch(channel))
        {
            problems.Add($"{path}:Channel is '{channel}': a channel ID looks like C024BE91L (channel details → About, at the bottom); leave it out to post the request where the job was asked for.");
        }

        if (approval.Expiry < TimeSpan.FromSeconds(1) || approval.Expiry > ApprovalPolicy.MaxExpiry)
        {
            problems.Add($"{path}:Expiry is {approval.Expiry}; use a duration between 00:00:01 and 7.00:00:00 (leave it out for 00:30:00).");
        }
    }

    private static void CheckPeople(string path, PeopleList people, List<string> problems)
    {
        CheckIds($"{path}:Users", people.Users, UserId(), "a Slack member ID looks like U024BE7LH (profile → ⋮ → Copy member ID)", problems);
        CheckIds($"{path}:Groups", people.Groups, GroupId(), "a user group ID looks like S0614TZR7", problems);
    }

    private static void CheckIds(string path, List<string> ids, Regex shape, string hint, List<string> problems, bool allowAnyone = false)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (allowAnyone && id == "*")
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(id) || !shape.IsMatch(id))
            {
                problems.Add($"{path}:{i} is '{id}': {hint}.");
            }
        }
    }

    /// <summary>Every key under Guardrails must be one the policy reads; list entries are numbered.</summary>
    private static void CheckKeys(IConfigurationSection root, List<string> problems)
    {
        foreach (var child in root.GetChildren())
        {
            if (!Known(child, RootKeys, problems))
            {
                continue;
            }

            if (Is(child, "Admins"))
            {
                CheckList(child, PeopleKeys, problems);
            }
            else if (Is(child, "Environments"))
            {
                foreach (var environment in child.GetChildren())
                {
                    foreach (var setting in environment.GetChildren())
                    {
                        if (!Known(setting, EnvironmentKeys, problems))
                        {
                            continue;
                        }

                        if (Is(setting, "Run"))
                        {
                            CheckList(setting, AudienceKeys, problems);
                        }
                        else if (Is(setting, "Admins"))
                        {
                            CheckList(setting, PeopleKeys, problems);
                        }
                        else if (Is(setting, "Approval"))
                        {
                            CheckApprovalKeys(setting, problems);
                        }
                        else if (Is(setting, "Services"))
                        {
                            foreach (var serviceSetting in setting.GetChildren().SelectMany(service => service.GetChildren()))
                            {
                                if (Known(serviceSetting, ServiceKeys, problems) && Is(serviceSetting, "Run"))
                                {
                                    CheckList(serviceSetting, AudienceKeys, problems);
                                }
                                else if (Is(serviceSetting, "Approval"))
                                {
                                    CheckApprovalKeys(serviceSetting, problems);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void CheckApprovalKeys(IConfigurationSection approval, List<string> problems)
    {
        foreach (var setting in approval.GetChildren())
        {
            if (Known(setting, ApprovalKeys, problems) && Is(setting, "Approvers"))
            {
                CheckList(setting, PeopleKeys, problems);
            }
        }
    }

    private static void CheckList(IConfigurationSection section, string[] keys, List<string> problems)
    {
        foreach (var list in section.GetChildren())
        {
            if (Known(list, keys, problems) && list.Value is { Length: > 0 } single)
            {
                problems.Add($"{list.Path} is '{single}', a single value; list the ids as {list.Path}:0, {list.Path}:1, … (a JSON array).");
            }
        }
    }

    private static bool Known(IConfigurationSection section, string[] keys, List<string> problems)
    {
        if (keys.Any(key => Is(section, key)))
        {
            return true;
        }

        problems.Add($"{section.Path} is not a guardrails setting; the settings here are {string.Join(", ", keys)}.");
        return false;
    }

    private static bool Is(IConfigurationSection section, string key) => string.Equals(section.Key, key, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[UW][A-Z0-9]{2,}$")]
    private static partial Regex UserId();

    [GeneratedRegex("^S[A-Z0-9]{2,}$")]
    private static partial Regex GroupId();

    [GeneratedRegex("^[CG][A-Z0-9]{2,}$")]
    private static partial Regex ChannelId();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ServiceName();
}
