using System.Globalization;
using System.Runtime.InteropServices;

namespace Specific.JobsBot.Bench;

/// <summary>The machine a result was measured on: cores and memory name the result file.</summary>
public sealed record Machine(int Cores, double MemoryGiB, string Os, string Runtime)
{
    public static Machine Describe() => new(
        Environment.ProcessorCount,
        ReadMemoryGiB(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cores} cores (nproc), {MemoryGiB:N1} GiB memory, {Os}, {Runtime}");

    private static double ReadMemoryGiB()
    {
        // MemTotal in /proc/meminfo is in KiB; elsewhere the GC's view of available memory is the best we have.
        const string meminfo = "/proc/meminfo";
        if (File.Exists(meminfo))
        {
            var line = File.ReadLines(meminfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (long.TryParse(kib, CultureInfo.InvariantCulture, out var value))
            {
                return value / 1024.0 / 1024.0;
            }
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024.0 / 1024.0;
    }
}

/// <summary>Where results go: bench/results/&lt;date&gt;-&lt;HHmm UTC&gt;-&lt;cores&gt;c-&lt;mem&gt;g-&lt;name&gt;.txt in the repository.</summary>
public static class ResultFiles
{
    public static void Save(Machine machine, string name, string report)
    {
        var directory = Path.Combine(RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd-HHmm}-{machine.Cores}c-{Math.Round(machine.MemoryGiB):0}g-{name}.txt"));
        File.WriteAllText(file, report);
        Console.WriteLine($"Saved {file}");
    }

    /// <summary>The folder holding Specific.JobsBot.sln, found above the working directory or the build output.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Specific.JobsBot.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException("No Specific.JobsBot.sln above " + Directory.GetCurrentDirectory());
    }
}
