using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// Training runs as jobs of the <see cref="TrainingSupervisor"/>: a run is one `phoenix-slt train` process per
/// stage (three for the pipeline, chained through their best/ folders), each stage's JSON-lines event file tailed
/// into the database and the notifier (<see cref="StageWatch"/>, <see cref="RunJournal"/>). A stage continues
/// from its last/ checkpoint (`--resume`) when there is one. A process that dies without `finished` or `failed`
/// fails the run with the tail of its error output; the portal's shutdown interrupts it (Resume continues it).
internal sealed class TrainingJobKind(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatasetCatalog datasets,
    PhoenixPaths paths,
    RunJournal journal,
    IProcessProbe probe,
    JobLauncher launcher,
    TrainingOptions options,
    TimeProvider time,
    ILogger logger) : IJobKind<RunEntity>
{
    public const string ShutdownError = "The portal stopped while this run was running. Resume continues from the last checkpoint.";

    // How a run's stages and a stage's command line are made: the run's resolved spec, the one pipeline plan and
    // `train --spec … --stage …`.

    /// The run's resolved spec (data in its dataset's current folder, threads from the run or the portal's budget),
    /// written to RUN/spec.json, and its stages (<see cref="PipelinePlan"/>).
    private (string SpecFile, IReadOnlyList<PipelineStage> Stages, int Threads) PlanStages(RunEntity run, string datasetDir)
    {
        var config = RunStore.ConfigOf(run);
        int threads = options.ThreadsFor(config);
        var spec = config with { Data = datasetDir, Threads = threads };
        return (RunSpecJson.Save(spec, run.OutputFolder), PipelinePlan.Stages(spec), threads);
    }

    /// The arguments of one stage's process (after the program).
    private static IReadOnlyList<string> ArgumentsFor(string specFile, PipelineStage stage, bool resume)
        => TrainCommand.StageArguments(specFile, stage, resume);

    public string Noun => "run";

    public IReadOnlyCollection<string> DevicesOf(RunEntity job) => DeviceSelection.DevicesOf(job.Device, job.WorldSize);

    public int IdOf(RunEntity job) => job.Id;

    /// Runs left queued or running by the previous portal become interrupted; the checkpoint root is scanned.
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var interrupted = await RunRecovery.MarkInterruptedAsync(db, probe, Now(), cancellationToken).ConfigureAwait(false);
        if (interrupted.Count > 0)
            logger.LogWarning("Runs {RunIds} were queued or running when the portal stopped; they are interrupted now", interrupted);
        try
        {
            int found = await CheckpointCatalog.ScanAsync(db, paths.CheckpointRoot, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Found {Count} checkpoints under {CheckpointRoot}", found, paths.CheckpointRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not scan the checkpoint root {CheckpointRoot}", paths.CheckpointRoot);
        }
    }

    /// Oldest first.
    public async Task<IReadOnlyList<RunEntity>> QueuedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Runs.AsNoTracking().Where(r => r.Status == JobStatus.Queued)
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// queued → running; a resumed run keeps its first start time.
    public async Task<RunEntity?> ClaimAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        DateTime now = Now();
        int changed = await db.Runs.Where(r => r.Id == id && r.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobStatus.Running).SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), cancellationToken)
            .ConfigureAwait(false);
        return changed == 1 ? await db.Runs.AsNoTracking().FirstAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) : null;
    }

    /// Runs the stages from the run's current one on; each finished stage hands over to the next.
    public async Task RunAsync(ActiveJob active, RunEntity job, CancellationToken stoppingToken)
    {
        if (StartProblem(job, out string datasetDir) is string problem)
        {
            await journal.FinishAsync(job.Id, JobEnd.Failed(problem)).ConfigureAwait(false);
            return;
        }
        var (specFile, stages, threads) = PlanStages(job, datasetDir);
        for (int index = Math.Max(0, stages.ToList().FindIndex(s => s.Phase == job.Stage)); index < stages.Count; index++)
        {
            var end = await RunStageAsync(active, job, stages[index], specFile, threads, stoppingToken).ConfigureAwait(false);
            if (end.Status != JobStatus.Completed || index + 1 == stages.Count)
            {
                await journal.FinishAsync(job.Id, end).ConfigureAwait(false);
                return;
            }
            await journal.NextStageAsync(job.Id, stages[index], stages[index + 1]).ConfigureAwait(false);
        }
    }

    public Task FailAsync(int id, Exception error)
        => journal.FinishAsync(id, JobEnd.Failed($"The portal could not supervise the run: {error.Message}"));

    /// Why no stage of <paramref name="run"/> can start (its dataset is gone, phoenix-slt is missing), or null.
    private string? StartProblem(RunEntity run, out string datasetDir)
    {
        var dataset = datasets.Find(run.Dataset);
        datasetDir = dataset?.Path ?? "";
        if (dataset is null)
            return $"Dataset '{run.Dataset}' is no longer under the data root {datasets.DataRoot}; put it back (or start a new run on another dataset).";
        return launcher.MissingProgram("starts training");
    }

    /// One stage's process from start to end: Completed when its event stream reported `finished`.
    private async Task<JobEnd> RunStageAsync(ActiveJob active, RunEntity run, PipelineStage stage, string specFile, int threads, CancellationToken stoppingToken)
    {
        if (active.CancelRequested || await journal.CancelRequestedAsync(run.Id).ConfigureAwait(false))
            return JobEnd.Cancelled;
        if (stoppingToken.IsCancellationRequested)
            return JobEnd.Interrupted(ShutdownError);
        bool resume = File.Exists(Path.Combine(stage.OutDir, CheckpointFolder.Last, CheckpointFolder.TrainerStateFileName));
        var arguments = ArgumentsFor(specFile, stage, resume);
        Directory.CreateDirectory(stage.OutDir);
        var output = new ProcessOutput(options.StderrTailLines, keepLines: true, time);
        var watch = new StageWatch(journal, run.Id, stage, output);
        // A multi-process run's `train` only waits for its workers, which get their environment from it.
        using var process = launcher.TryStart(arguments, Path.GetDirectoryName(stage.OutDir)!, output, out string? startError, threads);
        if (process is null)
            return JobEnd.Failed(startError!);
        await journal.StageStartedAsync(run.Id, stage, process.Id, process.StartTimeUtc(Now()), arguments, resume).ConfigureAwait(false);
        logger.LogInformation("Run {RunId}: {Stage} started as process {ProcessId}", run.Id, stage.Phase, process.Id);
        var how = await process.SuperviseAsync(active, new ProcessPolicy(options.CancelGracePeriod, options.PollInterval), watch, stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Run {RunId}: {Stage} process exited with code {ExitCode}", run.Id, stage.Phase, process.ExitCode);
        return how switch
        {
            ProcessEnd.Shutdown => JobEnd.Interrupted(ShutdownError),
            ProcessEnd.Cancelled => JobEnd.Cancelled,
            _ => EndOf(stage, watch.End, process.ExitCode, output.ErrorTail()),
        };
    }

    /// How a stage whose process exited ended: as its event stream says, else failed with the exit and error tail.
    private static JobEnd EndOf(PipelineStage stage, StageEnd end, int exitCode, string errorTail)
    {
        if (end.Finished)
            return JobEnd.Completed;
        if (end.FailureMessage is string message)
            return JobEnd.Failed(message);
        return JobEnd.Failed($"phoenix-slt {WorkerLauncher.DescribeExit(exitCode)} without reporting the end of the {stage.Phase} stage."
            + (errorTail.Length > 0 ? $" Last lines of its error output:\n{errorTail}" : " It wrote no error output."));
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
