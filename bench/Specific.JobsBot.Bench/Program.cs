using System.Globalization;
using Specific.JobsBot.Bench;

// Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- <ack|ack-profile|live|logs|all> [--jobs N] [--seconds S] ...
var what = args.Length > 0 ? args[0] : "all";
var options = Options.Parse(args.Skip(1).ToArray());
if (options is null)
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var live = new LiveOptions(
    options.GetValueOrDefault("jobs", 500), options.GetValueOrDefault("seconds", 120), options.GetValueOrDefault("channels", 25),
    options.GetValueOrDefault("sampled", 50), options.GetValueOrDefault("grace", 300));
var machine = Machine.Describe();
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(60));
switch (what)
{
    case "ack":
        ResultFiles.Save(machine, "ack", await AckBench.RunAsync(machine, stop.Token));
        break;
    case "ack-profile":
        ResultFiles.Save(machine, "ack-profile", await AckProfile.RunAsync(machine, stop.Token));
        break;
    case "live":
        ResultFiles.Save(machine, "live", await LiveBench.RunAsync(machine, live, stop.Token));
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{what}'.\n{Options.Usage}");
        return 2;
}
return 0;

/// <summary>The "--name value" integer options.</summary>
internal static class Options
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- <ack|ack-profile|live|logs|all> [options]
          live:  --jobs 500 --seconds 120 --channels 25 --sampled 50 --grace 300
        """;

    public static Dictionary<string, int>? Parse(string[] args)
    {
        var parsed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return null;
            }
            parsed[args[i][2..]] = value;
        }
        return parsed;
    }
}
