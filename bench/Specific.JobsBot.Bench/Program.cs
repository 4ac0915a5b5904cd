using Specific.JobsBot.Bench;

// Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- ack | ack-profile
var what = args.Length > 0 ? args[0] : "ack";
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(8));
var machine = Machine.Describe();
switch (what)
{
    case "ack":
        ResultFiles.Save(machine, "ack", await AckBench.RunAsync(machine, stop.Token));
        break;
    case "ack-profile":
        ResultFiles.Save(machine, "ack-profile", await AckProfile.RunAsync(machine, stop.Token));
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{what}'. Use ack or ack-profile.");
        return 2;
}
return 0;
