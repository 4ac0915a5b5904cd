using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Specific.Sandbox.ClusterSimulator.Kubelet;

/// <summary>
/// A container's command as a local process in its own session (via setsid), so SIGTERM and SIGKILL reach
/// the whole process group the way they reach every process in a container's PID namespace.
/// </summary>
internal sealed partial class ContainerProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;

    private ContainerProcess(Process process, string workingDirectory)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
    }

    public string WorkingDirectory { get; }

    public int Id => _process.Id;

    /// <summary>Finds an executable the way exec does: a path as given, a bare name through PATH.</summary>
    public static string? Locate(string executable, string path)
    {
        if (executable.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(executable) ? executable : null;
        }
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);
    }

    public static ContainerProcess Start(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("sandbox-pod-").FullName;
        var info = new ProcessStartInfo("/usr/bin/setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Clear();
        // HOME is the pod's own directory, so a command never touches the home of whoever runs the sandbox.
        info.Environment["HOME"] = workingDirectory;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("process did not start");
        process.StandardInput.Close();
        return new ContainerProcess(process, workingDirectory);
    }

    public StreamReader StandardOutput => _process.StandardOutput;

    public StreamReader StandardError => _process.StandardError;

    public bool HasExited => _process.HasExited;

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public void Terminate() => Signal(SigTerm);

    public void Kill() => Signal(SigKill);

    private void Signal(int signal)
    {
        try
        {
            if (!_process.HasExited)
            {
                // A negative pid signals the whole process group that setsid created. Until the child has called setsid
                // there is no such group (ESRCH) and the signal would be lost, leaving a deleted pod running for its whole
                // grace period: the child itself is signalled then, before it can start the command.
                if (NativeMethods.Kill(-_process.Id, signal) != 0)
                {
                    _ = NativeMethods.Kill(_process.Id, signal);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process is already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing there; the temp directory is left for the OS to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: best effort.
        }
    }

    private static partial class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
