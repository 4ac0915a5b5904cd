using Microsoft.Extensions.Options;

namespace Specific.JobsBot.Hosting;

/// <summary>Refuses listener and shutdown settings that cannot work, naming the environment variable that fixes each.</summary>
internal sealed class BotOptionsValidator : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        var failures = new List<string>();
        if (!IsHttpUrl(options.Url))
        {
            failures.Add($"Bot__Url is '{options.Url}', not an http(s) URL: set it to where the bot listens, for example 'http://0.0.0.0:8080'.");
        }

        if (options.ManagementUrl is { Length: > 0 } management)
        {
            if (!IsHttpUrl(management))
            {
                failures.Add($"Bot__ManagementUrl is '{management}', not an http(s) URL: set it to the probes' and metrics' listener, for example 'http://0.0.0.0:9464', or leave it unset.");
            }
            else if (IsHttpUrl(options.Url) && new Uri(management).Port == new Uri(options.Url).Port)
            {
                failures.Add("Bot__ManagementUrl uses the same port as Bot__Url: give the management listener its own port, or leave it unset.");
            }
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Bot__ShutdownTimeout is {options.ShutdownTimeout}: set a positive time span such as '00:00:25'.");
        }

        if (options.DrainDelay < TimeSpan.Zero || options.DrainDelay >= options.ShutdownTimeout)
        {
            failures.Add($"Bot__DrainDelay is {options.DrainDelay}: set it between 0 and Bot__ShutdownTimeout ({options.ShutdownTimeout}), for example '00:00:05'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
