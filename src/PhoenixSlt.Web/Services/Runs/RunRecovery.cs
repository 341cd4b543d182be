using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// What the portal does with runs it finds on start: those left queued or running by a portal that stopped (or
/// crashed) become interrupted, so that the user can Resume them. A process of such a run that is still alive
/// (it outlived a crashed portal and nobody reads its events any more) is killed first, so that a Resume never
/// has two processes writing the same folder.
public static class RunRecovery
{
    /// Marks the queued and running runs interrupted; returns their ids.
    public static async Task<IReadOnlyList<int>> MarkInterruptedAsync(PhoenixDbContext db, IProcessProbe probe, DateTime nowUtc,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(probe);
        var leftOver = await db.Runs.Where(r => r.Status == JobStatus.Queued || r.Status == JobStatus.Running).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in leftOver)
        {
            bool wasRunning = run.Status == JobStatus.Running;
            string message;
            if (run.ProcessId is int pid && probe.IsRunning(pid, run.ProcessStartedAt))
            {
                probe.Kill(pid);
                message = $"The portal stopped while this run was running; its process {pid} outlived the portal and was stopped. Resume continues from the last checkpoint.";
            }
            else
            {
                message = wasRunning
                    ? "The portal stopped while this run was running. Resume continues from the last checkpoint."
                    : "The portal stopped while this run was waiting in the queue. Resume starts it.";
            }
            run.Status = JobStatus.Interrupted;
            run.Error = message;
            run.FinishedAt = nowUtc;
            run.ProcessId = null;
            run.ProcessStartedAt = null;
            RunEventIngestor.EndValidation(run);
            db.RunLogLines.Add(new RunLogLine { RunId = run.Id, Time = nowUtc, Level = "warning", Text = message });
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return [.. leftOver.Select(r => r.Id)];
    }
}
