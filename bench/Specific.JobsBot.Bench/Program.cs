using Specific.JobsBot.Bench;

// Usage: dotnet run -c Release --project bench/Specific.JobsBot.Bench -- ack
var what = args.Length > 0 ? args[0] : "ack";
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(8));
var machine = Machine.Describe();
if (what is "ack" or "all")
{
    var report = await AckBench.RunAsync(machine, stop.Token);
    ResultFiles.Save(machine, "ack", report);
}
if (what is not ("ack" or "all"))
{
    Console.Error.WriteLine($"Unknown benchmark '{what}'. Use ack.");
    return 2;
}
return 0;
