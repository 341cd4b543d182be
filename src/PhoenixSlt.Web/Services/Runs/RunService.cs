using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// The outcome of a Cancel or Resume.
public enum RunCommandOutcome
{
    Done,
    NotFound,
    /// The run is not in a state that allows the command (e.g. resuming a completed run).
    Conflict,
}

/// <param name="Message">What happened or why not, for the user.</param>
/// <param name="Run">The run after the command (null when not found).</param>
public sealed record RunCommandResult(RunCommandOutcome Outcome, string Message, RunInfo? Run);

/// A created run, or the validation errors that prevented it.
public sealed record RunCreateResult(RunInfo? Run, RunValidationResult Validation)
{
    public bool Created => Run is not null;
}

/// Starts, cancels and resumes runs: the one entry point of the New-run form, the run pages and the REST API.
/// Runs are queued in the database; the <see cref="TrainingSupervisor"/> starts their processes.
public sealed class RunService(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatasetCatalog datasets,
    PhoenixPaths paths,
    TrainingSupervisor supervisor,
    RunNotifier notifier,
    TimeProvider time)
{
    /// The folder of run <paramref name="id"/>: CheckpointRoot/runs/&lt;id&gt;.
    public string RunFolder(int id) => Path.Combine(paths.CheckpointRoot, "runs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// What requests are validated against now: the datasets under the data root and the file system.
    public RunValidationContext ValidationContext()
        => new([.. datasets.List().Select(d => d.Name)], Directory.Exists);

    /// <see cref="RunRequestValidator.Validate"/> against <see cref="ValidationContext"/>.
    public RunValidationResult Validate(RunRequest request) => RunRequestValidator.Validate(request, ValidationContext());

    /// Validates <paramref name="request"/> and queues it as a new run.
    public async Task<RunCreateResult> CreateAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = Validate(request);
        if (!validation.IsValid)
            return new RunCreateResult(null, validation);
        var dataset = datasets.Find(request.Dataset)!;
        RunInfo info;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var run = new RunEntity
            {
                Name = request.DisplayName,
                Phase = request.Phase,
                Stage = RunPhases.StagesOf(request.Phase)[0],
                ConfigJson = JsonSerializer.Serialize(request, RunStore.Json),
                Status = JobStatus.Queued,
                Dataset = dataset.Name,
                CreatedAt = time.GetUtcNow().UtcDateTime,
                Device = request.Device.Trim().ToLowerInvariant(),
                WorldSize = request.WorldSize,
                InitCheckpoint = string.IsNullOrWhiteSpace(request.InitCheckpoint) ? null : request.InitCheckpoint.Trim(),
                MBartFolder = string.IsNullOrWhiteSpace(request.MBartFolder) ? null : request.MBartFolder.Trim(),
            };
            db.Runs.Add(run);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            run.OutputFolder = RunFolder(run.Id);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            info = RunStore.ToInfo(run);
        }
        notifier.Publish(new RunStateUpdate(info));
        supervisor.Wake();
        return new RunCreateResult(info, validation);
    }

    /// Cancels a queued run at once, or asks the process of a running run to stop (SIGTERM, then a kill after the
    /// grace period); the run ends as cancelled.
    public async Task<RunCommandResult> CancelAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
            if (run is null)
                return new RunCommandResult(RunCommandOutcome.NotFound, $"Run {id} does not exist.", null);
            if (run.Status == JobStatus.Queued)
            {
                // Conditional: the supervisor may be starting the run right now.
                DateTime now = time.GetUtcNow().UtcDateTime;
                int changed = await db.Runs.Where(r => r.Id == id && r.Status == JobStatus.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobStatus.Cancelled).SetProperty(r => r.CancelRequested, true)
                        .SetProperty(r => r.FinishedAt, now), cancellationToken).ConfigureAwait(false);
                if (changed == 0)
                    continue;
                var info = await InfoAsync(db, id, cancellationToken).ConfigureAwait(false);
                notifier.Publish(new RunStateUpdate(info));
                return new RunCommandResult(RunCommandOutcome.Done, $"Run {id} was cancelled before it started.", info);
            }
            if (run.Status == JobStatus.Running)
            {
                await db.Runs.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), cancellationToken).ConfigureAwait(false);
                supervisor.RequestCancel(id);
                return new RunCommandResult(RunCommandOutcome.Done, $"Run {id} is stopping.", RunStore.ToInfo(run));
            }
            return new RunCommandResult(RunCommandOutcome.Conflict,
                $"Run {id} is {run.Status.ToText()}; only queued or running runs can be cancelled.", RunStore.ToInfo(run));
        }
    }

    /// Queues a failed, cancelled or interrupted run again: its current stage continues from the stage's last/
    /// checkpoint (`--resume`, exact) when there is one, else starts over; later stages follow.
    public async Task<RunCommandResult> ResumeAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        JobStatus[] resumable = [.. Enum.GetValues<JobStatus>().Where(s => s.IsResumable())];
        int changed = await db.Runs.Where(r => r.Id == id && resumable.Contains(r.Status))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobStatus.Queued).SetProperty(r => r.CancelRequested, false)
                .SetProperty(r => r.Error, (string?)null).SetProperty(r => r.FinishedAt, (DateTime?)null)
                .SetProperty(r => r.ProcessId, (int?)null).SetProperty(r => r.ProcessStartedAt, (DateTime?)null), cancellationToken)
            .ConfigureAwait(false);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        if (run is null)
            return new RunCommandResult(RunCommandOutcome.NotFound, $"Run {id} does not exist.", null);
        var info = RunStore.ToInfo(run);
        if (changed == 0)
            return new RunCommandResult(RunCommandOutcome.Conflict,
                $"Run {id} is {run.Status.ToText()}; only failed, cancelled or interrupted runs can be resumed.", info);
        notifier.Publish(new RunStateUpdate(info));
        supervisor.Wake();
        return new RunCommandResult(RunCommandOutcome.Done, $"Run {id} is queued to resume.", info);
    }

    private static async Task<RunInfo> InfoAsync(PhoenixDbContext db, int id, CancellationToken cancellationToken)
        => RunStore.ToInfo(await db.Runs.AsNoTracking().FirstAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false));
}
