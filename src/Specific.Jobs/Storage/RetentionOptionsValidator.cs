using Microsoft.Extensions.Options;

namespace Specific.Jobs.Storage;

/// <summary>Refuses a retention that cannot work, naming the environment variable that fixes it.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    private const int MaxDays = 36_500;
    private const int MaxBatch = 100_000;

    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var problems = new List<string>();
        if (options.JobDays is < 1 or > MaxDays)
        {
            problems.Add($"Retention:JobDays is {options.JobDays}. Set Retention__JobDays to the days a finished job is kept, from 1 to {MaxDays}, for example 180.");
        }

        if (options.AuditDays is < 1 or > MaxDays)
        {
            problems.Add($"Retention:AuditDays is {options.AuditDays}. Set Retention__AuditDays to the days an audit entry is kept, from 1 to {MaxDays}, for example 400.");
        }

        // Slack retries within minutes; a key forgotten sooner than that could start a retried job twice.
        if (options.RequestKeyHours is < 1 or > 24 * 30)
        {
            problems.Add($"Retention:RequestKeyHours is {options.RequestKeyHours}. Set Retention__RequestKeyHours to hours from 1 to {24 * 30}, for example 24.");
        }

        if (options.BatchSize is < 1 or > MaxBatch)
        {
            problems.Add($"Retention:BatchSize is {options.BatchSize}. Set Retention__BatchSize to rows per delete from 1 to {MaxBatch}, for example 5000.");
        }

        if (options.Pause < TimeSpan.Zero || options.Pause > TimeSpan.FromMinutes(1))
        {
            problems.Add($"Retention:Pause is {options.Pause}. Set Retention__Pause to a pause between batches from 00:00:00 to 00:01:00, for example 00:00:00.1.");
        }

        if (options.Interval < TimeSpan.FromMinutes(1) || options.Interval > TimeSpan.FromDays(7))
        {
            problems.Add($"Retention:Interval is {options.Interval}. Set Retention__Interval to the time between passes from 00:01:00 to 7.00:00:00, for example 01:00:00.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
