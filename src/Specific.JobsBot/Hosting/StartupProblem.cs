using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Specific.Jobs.Storage;

namespace Specific.JobsBot.Hosting;

/// <summary>
/// Turns a configuration failure at start-up (an invalid or missing setting, a value that does not convert, a store
/// file that is not a database) into one message that names the environment variable to set, instead of a stack trace.
/// </summary>
public static partial class StartupProblem
{
    /// <summary>The message for a configuration failure, or null when <paramref name="exception"/> is something else.</summary>
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (StoreProblem(exception) is { } store)
        {
            return "The bot cannot start: " + store.Message;
        }

        var problems = Problems(exception).Distinct(StringComparer.Ordinal).ToList();
        if (problems.Count == 0)
        {
            return null;
        }

        return "The bot cannot start: its configuration is incomplete or invalid."
            + string.Concat(problems.Select(problem => Environment.NewLine + "  - " + problem))
            + Environment.NewLine + "Settings come from environment variables (Section__Key), appsettings.json or the command line; see the README's Configuration section.";
    }

    private static IEnumerable<string> Problems(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Problems),
        OptionsValidationException invalid => invalid.Failures.SelectMany(failure => Split(failure)).Select(failure => Named(invalid.OptionsType, failure)),
        InvalidOperationException conversion when ConversionKey().Match(conversion.Message) is { Success: true } match =>
            [$"{EnvironmentName(match.Groups["key"].Value)} has a value that cannot be read: {conversion.InnerException?.Message ?? conversion.Message}"],
        _ when exception.InnerException is { } inner => Problems(inner),
        _ => [],
    };

    /// <summary>A store that cannot be used (already one line naming its file and setting), however the host wrapped it.</summary>
    private static StoreStartupException? StoreProblem(Exception exception) => exception switch
    {
        StoreStartupException store => store,
        AggregateException aggregate => aggregate.InnerExceptions.Select(StoreProblem).FirstOrDefault(found => found is not null),
        { InnerException: { } inner } => StoreProblem(inner),
        _ => null,
    };

    // A data-annotation failure lists several members in one string.
    private static IEnumerable<string> Split(string failure) =>
        failure.Split("; DataAnnotation", StringSplitOptions.RemoveEmptyEntries)
            .Select((part, index) => index == 0 ? part : "DataAnnotation" + part);

    /// <summary>Rewrites a data-annotation failure ("… members: 'BotToken' with the error: …") to name its variable.</summary>
    private static string Named(Type optionsType, string failure)
    {
        var annotation = AnnotationFailure().Match(failure);
        if (!annotation.Success)
        {
            return failure;
        }

        var section = optionsType.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string ?? optionsType.Name;
        return $"{section}__{annotation.Groups["member"].Value} is invalid: {annotation.Groups["error"].Value}";
    }

    /// <summary>"Slack:SigningSecret" as the environment knows it: "Slack__SigningSecret".</summary>
    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    [GeneratedRegex(@"members: '(?<member>[^']+)' with the error: '(?<error>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex AnnotationFailure();

    [GeneratedRegex(@"configuration value (?:'[^']*' )?at '(?<key>[^']+)'")]
    private static partial Regex ConversionKey();
}
