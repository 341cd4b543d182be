using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PhoenixSlt.Web.Services.Jobs;

/// Looks at and stops processes by id (for runs whose process outlived a portal that stopped unexpectedly).
public interface IProcessProbe
{
    /// True when process <paramref name="processId"/> runs and started at <paramref name="startedAtUtc"/>
    /// (within a second; a process id can be reused by a later process).
    bool IsRunning(int processId, DateTime? startedAtUtc);

    /// Kills process <paramref name="processId"/> and its children; no error when it is gone.
    void Kill(int processId);
}

/// <see cref="IProcessProbe"/> of this machine, plus the graceful stop signal.
public sealed class ProcessControl : IProcessProbe
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(1);

    public bool IsRunning(int processId, DateTime? startedAtUtc)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            if (process.HasExited)
                return false;
            return startedAtUtc is not DateTime expected
                   || (process.StartTime.ToUniversalTime() - expected).Duration() <= StartTimeTolerance;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    public void Kill(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// Asks <paramref name="process"/> to stop: SIGTERM. `phoenix-slt train` cancels its run (as on Ctrl+C), stops
    /// at the next step, reports `failed: cancelled` and exits. Not SIGINT: a process started from a background job
    /// of a non-interactive shell inherits SIGINT as ignored, and so do its children. False when no signal could be
    /// sent (Windows, or the process is gone): the caller kills it instead.
    public static bool RequestStop(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (OperatingSystem.IsWindows())
            return false;
        try
        {
            return !process.HasExited && SendSignal(process.Id, SigTerm) == 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// Kills <paramref name="process"/> and its children (data-parallel workers); no error when it is gone.
    public static void KillTree(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
