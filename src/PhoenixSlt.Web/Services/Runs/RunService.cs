using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Training;
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

/// A created run, or the problems of its spec that prevented it.
public sealed record RunCreateResult(RunInfo? Run, SpecProblems Problems)
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
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Options.BeamOptions> beams)
{
    /// The folder of run <paramref name="id"/>: CheckpointRoot/runs/&lt;id&gt;.
    public string RunFolder(int id) => Path.Combine(paths.CheckpointRoot, "runs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// What specs are validated against here: data is a dataset under the data root, the portal chooses out,
    /// folders must be absolute.
    public SpecContext ValidationContext(int? cudaDeviceCount = null)
        => new() { Datasets = [.. datasets.List().Select(d => d.Name)], OutAssigned = true, AbsolutePathsOnly = true, CudaDeviceCount = cudaDeviceCount };

    /// The spec's one validation (<see cref="RunSpecValidation.Validate"/>) against <see cref="ValidationContext"/>.
    public SpecProblems Validate(RunSpec spec) => Validate(spec, ValidationContext());

    /// The spec's one validation against <paramref name="context"/>, plus the portal's beam limit
    /// (<see cref="Options.BeamOptions"/>) on the validation decoding.
    public SpecProblems Validate(RunSpec spec, SpecContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = spec.Validate(context);
        // the portal's limit only adds to a beam count the spec itself accepts: one message per problem
        return problems.FirstFor(BeamsField) is null && beams.Value.Problem(spec.Beams) is string beamProblem
            ? problems.Merge(new SpecProblems(new Dictionary<string, string[]> { [BeamsField] = [beamProblem] }))
            : problems;
    }

    /// The JSON name of the beams field.
    public static readonly string BeamsField = RunSpecFields.FindByProperty(nameof(RunSpec.Beams))!.Name;

    /// Validates <paramref name="spec"/> and queues it as a new run. The stored spec is resolved: data is the
    /// dataset's folder, out the run's folder (<see cref="PipelinePlan.RunOut"/>); the supervisor writes it to the
    /// run folder and starts `phoenix-slt train --spec` from it.
    public async Task<RunCreateResult> CreateAsync(RunSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = Validate(spec);
        if (!problems.IsValid)
            return new RunCreateResult(null, problems);
        RunInfo info;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            info = RunStore.ToInfo(await AddRunAsync(db, spec, null, null, cancellationToken).ConfigureAwait(false));
        Announce([info]);
        return new RunCreateResult(info, problems);
    }

    /// Adds a run of the valid <paramref name="spec"/> (of group <paramref name="groupId"/> with
    /// <paramref name="groupLabel"/>) to <paramref name="db"/> and saves it with its resolved spec: data is the
    /// dataset's folder, out the run's folder (<see cref="PipelinePlan.RunOut"/>). Callers announce it after their
    /// transaction (<see cref="Announce"/>).
    internal async Task<RunEntity> AddRunAsync(PhoenixDbContext db, RunSpec spec, int? groupId, string? groupLabel, CancellationToken cancellationToken)
    {
        var dataset = datasets.Find(spec.Data!)!;
        var run = new RunEntity
        {
            Name = spec.DisplayName(dataset.Name),
            Phase = spec.Phase,
            Stage = TrainingPhaseNames.StagesOf(spec.Phase)[0],
            Status = JobStatus.Queued,
            Dataset = dataset.Name,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            Device = spec.Device.Trim().ToLowerInvariant(),
            WorldSize = spec.WorldSize,
            InitCheckpoint = string.IsNullOrWhiteSpace(spec.Init) ? null : spec.Init.Trim(),
            MBartFolder = string.IsNullOrWhiteSpace(spec.Mbart) ? null : spec.Mbart.Trim(),
            GroupId = groupId,
            GroupLabel = groupLabel,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        run.OutputFolder = RunFolder(run.Id);
        var resolved = spec with
        {
            Data = dataset.Path,
            Out = PipelinePlan.RunOut(run.OutputFolder, spec.Phase),
            Init = run.InitCheckpoint,
            Mbart = run.MBartFolder,
            Device = run.Device,
        };
        run.ConfigJson = RunSpecJson.Write(resolved);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// Tells the pages about new queued runs and wakes the supervisor.
    internal void Announce(IEnumerable<RunInfo> created)
    {
        foreach (var info in created)
            notifier.Publish(new RunStateUpdate(info));
        supervisor.Wake();
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
