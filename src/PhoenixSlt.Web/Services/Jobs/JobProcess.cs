using System.ComponentModel;
using System.Diagnostics;

namespace PhoenixSlt.Web.Services.Jobs;

/// How a job's process ended, as its supervisor sees it.
public enum ProcessEnd
{
    /// It exited on its own (<see cref="JobProcess.ExitCode"/>).
    Exited,
    /// The job was cancelled: the process was asked to stop (SIGTERM), or killed.
    Cancelled,
    /// The portal is stopping: the process was killed.
    Shutdown,
}

/// What a job kind hears from the loop that supervises its process.
public interface IProcessWatch
{
    /// After every wake-up of the loop while the process runs, and once more after its exit when every line of its
    /// output has been read.
    Task PollAsync();

    /// Cancel: the process was asked to stop (SIGTERM) when <paramref name="signalled"/>, else it was killed at once.
    Task StopRequestedAsync(int processId, bool signalled, TimeSpan grace);

    /// Cancel: the process did not stop within <paramref name="grace"/> and was killed.
    Task KilledAfterGraceAsync(int processId, TimeSpan grace);
}

/// How a job's process is supervised.
/// <param name="Grace">Time a cancelled process gets after SIGTERM before it is killed.</param>
/// <param name="Poll">How often the loop wakes while the process runs; <see cref="Timeout.InfiniteTimeSpan"/>: only
/// on exit, cancel, shutdown and at the end of the grace period.</param>
public sealed record ProcessPolicy(TimeSpan Grace, TimeSpan Poll);

/// A running `phoenix-slt` process of a job (started by <see cref="JobLauncher"/>), supervised to its end:
/// a cancel request asks it to stop (SIGTERM, <see cref="ProcessControl.RequestStop"/>) and kills it after the
/// grace period; the portal's shutdown kills it. Disposing kills a process that still runs: no job process outlives
/// its supervisor.
public sealed class JobProcess : IDisposable
{
    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(5);

    private readonly Process _process;
    private readonly TimeProvider _time;

    internal JobProcess(Process process, TimeProvider time)
    {
        _process = process;
        _time = time;
    }

    public int Id => _process.Id;

    /// Valid once <see cref="SuperviseAsync"/> returned.
    public int ExitCode => _process.ExitCode;

    /// When the process started (UTC); <paramref name="fallback"/> when it was reaped already.
    public DateTime StartTimeUtc(DateTime fallback)
    {
        try
        {
            return _process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Win32Exception: it exited and was reaped between the start and reading its /proc entry.
            return fallback;
        }
    }

    /// Waits for the process to exit while acting on cancel and shutdown; <paramref name="active"/> carries its
    /// process id meanwhile. Returns how it ended (shutdown before cancel before exit).
    public async Task<ProcessEnd> SuperviseAsync(ActiveJob active, ProcessPolicy policy, IProcessWatch watch, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(watch);
        active.ProcessId = Id;
        var exited = _process.WaitForExitAsync(CancellationToken.None);
        var stop = new StopState();
        while (true)
        {
            bool done = exited.IsCompleted;
            await watch.PollAsync().ConfigureAwait(false);
            if (done)
                break;
            await ActAsync(active, policy, watch, stop, stoppingToken).ConfigureAwait(false);
            await WaitAsync(exited, active, policy, stop, stoppingToken).ConfigureAwait(false);
        }
        _process.WaitForExit();                                     // the output handlers have seen every line
        await watch.PollAsync().ConfigureAwait(false);
        active.ProcessId = null;
        return stop.Shutdown ? ProcessEnd.Shutdown : active.CancelRequested ? ProcessEnd.Cancelled : ProcessEnd.Exited;
    }

    public void Dispose()
    {
        if (!HasExited())
            ProcessControl.KillTree(_process);
        _process.Dispose();
    }

    /// Shutdown: kill. Cancel: SIGTERM (or kill when no signal can be sent). Grace period over: kill.
    private async Task ActAsync(ActiveJob active, ProcessPolicy policy, IProcessWatch watch, StopState stop, CancellationToken stoppingToken)
    {
        if (stop.Shutdown)
            return;
        if (stoppingToken.IsCancellationRequested)
        {
            stop.Shutdown = true;
            ProcessControl.KillTree(_process);
        }
        else if (active.CancelRequested && stop.RequestedAt is null)
        {
            stop.RequestedAt = Now();
            bool signalled = ProcessControl.RequestStop(_process);
            if (!signalled)
            {
                stop.Killed = true;
                ProcessControl.KillTree(_process);
            }
            await watch.StopRequestedAsync(Id, signalled, policy.Grace).ConfigureAwait(false);
        }
        else if (stop.RequestedAt is DateTime sent && !stop.Killed && Now() - sent >= policy.Grace)
        {
            stop.Killed = true;
            ProcessControl.KillTree(_process);
            await watch.KilledAfterGraceAsync(Id, policy.Grace).ConfigureAwait(false);
        }
    }

    /// Until the process exits, the poll interval passes, the grace period ends, a cancel request (before the stop
    /// was asked) or the shutdown (before it was acted on) comes.
    private async Task WaitAsync(Task exited, ActiveJob active, ProcessPolicy policy, StopState stop, CancellationToken stoppingToken)
    {
        var wakeOnCancel = stop.RequestedAt is null && !stop.Shutdown ? active.CancelToken : CancellationToken.None;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(wakeOnCancel, stop.Shutdown ? CancellationToken.None : stoppingToken);
        await Task.WhenAny(exited, Task.Delay(NextWake(policy, stop), wake.Token)).ConfigureAwait(false);
    }

    private TimeSpan NextWake(ProcessPolicy policy, StopState stop)
    {
        if (stop.RequestedAt is not DateTime sent || stop.Killed || stop.Shutdown)
            return policy.Poll;
        TimeSpan left = policy.Grace - (Now() - sent);
        if (left < MinWait)
            left = MinWait;
        return policy.Poll == Timeout.InfiniteTimeSpan || left < policy.Poll ? left : policy.Poll;
    }

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;

    private sealed class StopState
    {
        /// When the process was asked to stop on a cancel request.
        public DateTime? RequestedAt { get; set; }
        public bool Killed { get; set; }
        public bool Shutdown { get; set; }
    }
}
