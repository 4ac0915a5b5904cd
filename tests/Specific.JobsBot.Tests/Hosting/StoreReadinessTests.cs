using System.Diagnostics;
using System.Text.Json;

namespace Specific.JobsBot.Tests.Hosting;

/// <summary>
/// /readyz follows whether the SQLite stores can still write to the files at their paths: a file moved away or replaced
/// under the running bot, or a full disk, makes it unready naming the store and why, and it is ready again once fixed.
/// </summary>
public sealed class StoreReadinessTests : IDisposable
{
    // Generous: the probe's answer is kept for a moment, and the machine is shared.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _scratch = Directory.CreateTempSubdirectory("store-ready-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("jobs.db", "Storage__SqlitePath")]
    [InlineData("logs.db", "Storage__LogsSqlitePath")]
    public async Task A_store_file_moved_away_while_the_bot_runs_makes_it_unready_until_the_file_is_back(string file, string setting)
    {
        await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?> { ["Storage:SqlitePath"] = Path.Combine(_scratch, "jobs.db") });
        await ReadyEventuallyAsync(bot, 200);
        var path = Path.Combine(_scratch, file);
        var away = Directory.CreateDirectory(Path.Combine(_scratch, "away")).FullName;

        var moved = MoveDatabase(_scratch, away, file);
        var unready = await ReadyEventuallyAsync(bot, 503);

        Assert.Equal(["store"], unready.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        var why = StoreDescription(unready);
        Assert.Contains(path, why, StringComparison.Ordinal);
        Assert.Contains("was deleted or replaced while the bot ran", why, StringComparison.Ordinal);
        Assert.Contains(setting, why, StringComparison.Ordinal);

        MoveDatabase(away, _scratch, file);
        var ready = await ReadyEventuallyAsync(bot, 200);
        Assert.NotEmpty(moved);
        Assert.Equal("Healthy", Check(ready, "store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_store_file_replaced_by_a_copy_while_the_bot_runs_keeps_it_unready_until_it_is_restarted()
    {
        var settings = new Dictionary<string, string?> { ["Storage:SqlitePath"] = Path.Combine(_scratch, "jobs.db") };
        await using (var bot = await OpsApp.StartAsync(settings))
        {
            await ReadyEventuallyAsync(bot, 200);
            var copies = Directory.CreateDirectory(Path.Combine(_scratch, "copies")).FullName;

            // A restore from a copy: the path holds a database again, but the bot's open connections still write to the old one.
            foreach (var name in new[] { "jobs.db", "jobs.db-wal", "jobs.db-shm" })
            {
                File.Copy(Path.Combine(_scratch, name), Path.Combine(copies, name));
            }

            foreach (var name in new[] { "jobs.db", "jobs.db-wal", "jobs.db-shm" })
            {
                File.Move(Path.Combine(copies, name), Path.Combine(_scratch, name), overwrite: true);
            }

            var unready = await ReadyEventuallyAsync(bot, 503);
            Assert.Contains("was deleted or replaced while the bot ran", StoreDescription(unready), StringComparison.Ordinal);
            Assert.Contains("restart the bot", StoreDescription(unready), StringComparison.Ordinal);
        }

        await using var restarted = await OpsApp.StartAsync(settings);
        await ReadyEventuallyAsync(restarted, 200);
    }

    [Fact]
    public async Task A_full_disk_under_the_SQLite_files_makes_the_bot_unready_until_space_is_freed()
    {
        var volume = await MountSmallVolumeAsync();
        try
        {
            await using var bot = await OpsApp.StartAsync(new Dictionary<string, string?> { ["Storage:SqlitePath"] = Path.Combine(volume, "jobs.db") });
            await ReadyEventuallyAsync(bot, 200);

            var filler = Path.Combine(volume, "filler");
            FillDisk(filler);
            var unready = await ReadyEventuallyAsync(bot, 503);

            Assert.Equal(["store"], unready.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
            var why = StoreDescription(unready);
            Assert.Contains("cannot be written", why, StringComparison.Ordinal);
            Assert.Contains("disk is full", why, StringComparison.Ordinal);
            Assert.Contains(volume, why, StringComparison.Ordinal);

            File.Delete(filler);
            await ReadyEventuallyAsync(bot, 200);
        }
        finally
        {
            await Shell.TryAsync("umount", ["-l", volume]);
        }
    }

    /// <summary>A 4 MiB tmpfs of the test's own, or a skip where this machine cannot mount one.</summary>
    private async Task<string> MountSmallVolumeAsync()
    {
        var volume = Directory.CreateDirectory(Path.Combine(_scratch, "volume")).FullName;
        if (!await Shell.TryAsync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", volume]))
        {
            Assert.Skip("Mounting a small tmpfs failed: this test needs a real volume to fill, so root with CAP_SYS_ADMIN (as on CI and the dev machines).");
        }

        return volume;
    }

    /// <summary>Moves a SQLite file and its WAL companions, as an operator's mv would; returns the names moved.</summary>
    private static List<string> MoveDatabase(string from, string to, string file)
    {
        var moved = new List<string>();
        foreach (var name in new[] { file, file + "-wal", file + "-shm" })
        {
            if (File.Exists(Path.Combine(from, name)))
            {
                File.Move(Path.Combine(from, name), Path.Combine(to, name));
                moved.Add(name);
            }
        }

        return moved;
    }

    /// <summary>Writes page-sized blocks until the volume refuses another one.</summary>
    private static void FillDisk(string path)
    {
        var block = new byte[4096];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // The disk is full: that is the point.
        }
    }

    /// <summary>Polls /readyz until it answers <paramref name="status"/>, and returns that body.</summary>
    private static async Task<JsonElement> ReadyEventuallyAsync(OpsApp bot, int status)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var (now, body) = await bot.ReadyAsync();
            if (now == status)
            {
                return body;
            }

            if (watch.Elapsed > Deadline)
            {
                Assert.Fail($"/readyz did not answer {status} within {Deadline.TotalSeconds} s; it last answered {now}: {body}");
            }

            await Task.Delay(100, Ct);
        }
    }

    private static string StoreDescription(JsonElement body) => Check(body, "store").GetProperty("description").GetString()!;

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == name);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>Runs a system command; false when it cannot run or fails.</summary>
    private static class Shell
    {
        public static async Task<bool> TryAsync(string command, string[] arguments)
        {
            try
            {
                var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var argument in arguments)
                {
                    start.ArgumentList.Add(argument);
                }

                using var process = Process.Start(start)!;
                await process.WaitForExitAsync(Ct);
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }
}
