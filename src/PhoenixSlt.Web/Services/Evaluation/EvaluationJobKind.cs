using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Checkpoint evaluations as jobs of the <see cref="EvaluationRunner"/>: one `phoenix-slt evaluate` process on
/// <see cref="EvaluationOptions.Device"/> writes the hypotheses of a split into the evaluation's work folder; the
/// portal scores them (<see cref="EvaluationScoring"/>) and stores metrics and sentences. Evaluations left running by
/// a previous portal fail at start (they are evaluated again, not resumed); queued ones wait for their turn.
internal sealed class EvaluationJobKind(
    IDbContextFactory<PhoenixDbContext> contexts,
    EvaluationNotifier notifier,
    PhoenixPaths paths,
    JobLauncher launcher,
    TrainingOptions trainingOptions,
    EvaluationOptions options,
    TimeProvider time,
    ILogger logger) : IJobKind<EvaluationEntity>
{
    public string Noun => "evaluation";

    /// One slot on the evaluation device, the same for every evaluation.
    public IReadOnlyList<string> Devices { get; } = PhoenixSlt.Training.DeviceSelection.DevicesOf(options.Device, worldSize: 1);

    public IReadOnlyCollection<string> DevicesOf(EvaluationEntity job) => Devices;

    public int IdOf(EvaluationEntity job) => job.Id;

    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var running = await db.Evaluations.Where(e => e.Status == JobStatus.Running).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var evaluation in running)
            {
                evaluation.Status = JobStatus.Failed;
                evaluation.Error = EvaluationRunner.ShutdownError;
                evaluation.FinishedAt = Now();
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException)
        {
            logger.LogError(e, "Could not recover the evaluations of the previous start");
        }
    }

    /// In the order they were queued.
    public async Task<IReadOnlyList<EvaluationEntity>> QueuedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Evaluations.AsNoTracking().Where(e => e.Status == JobStatus.Queued).OrderBy(e => e.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// queued → running (published).
    public async Task<EvaluationEntity?> ClaimAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        DateTime now = Now();
        int changed = await db.Evaluations.Where(e => e.Id == id && e.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, JobStatus.Running).SetProperty(e => e.StartedAt, now), cancellationToken)
            .ConfigureAwait(false);
        if (changed != 1)
            return null;
        var evaluation = await db.Evaluations.AsNoTracking().FirstAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        notifier.Publish(EvaluationScoring.ToInfo(evaluation));
        return evaluation;
    }

    public async Task RunAsync(ActiveJob active, EvaluationEntity job, CancellationToken stoppingToken)
        => await FinishAsync(active.Id, await EvaluateAsync(active, job, stoppingToken).ConfigureAwait(false)).ConfigureAwait(false);

    public Task FailAsync(int id, Exception error)
        => FinishAsync(id, new Outcome(JobEnd.Failed($"The portal could not run the evaluation: {error.Message}")));

    /// Runs `phoenix-slt evaluate` and scores its hypotheses.
    private async Task<Outcome> EvaluateAsync(ActiveJob active, EvaluationEntity evaluation, CancellationToken stoppingToken)
    {
        if (active.CancelRequested)
            return new Outcome(JobEnd.Cancelled);
        logger.LogInformation("Evaluation {EvaluationId}: {Checkpoint} on {Dataset}/{Split}, {Beams} beam(s)",
            active.Id, evaluation.CheckpointPath, evaluation.Dataset, evaluation.Split, evaluation.Beams);
        string workDir = Path.Combine(paths.CheckpointRoot, EvaluationRunner.WorkFolder, active.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(workDir);
            string datasetDir = Path.Combine(paths.DataRoot, evaluation.Dataset);
            string hypFile = Path.Combine(workDir, "hypotheses.txt");
            int threads = trainingOptions.ThreadsPerProcess();
            var arguments = EvaluationArguments.For(evaluation.CheckpointPath, datasetDir, evaluation.Split, evaluation.Beams, hypFile,
                options.Device, options.BatchSize, threads);
            if (await RunProcessAsync(active, arguments, workDir, threads, stoppingToken).ConfigureAwait(false) is { } stopped)
                return new Outcome(stopped);
            return new Outcome(JobEnd.Completed, await ScoreAsync(datasetDir, evaluation.Split, hypFile).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PhoenixDataException or InvalidDataException or ArgumentException)
        {
            return new Outcome(JobEnd.Failed(e.Message));
        }
    }

    private static async Task<IReadOnlyList<SentenceResult>> ScoreAsync(string datasetDir, string split, string hypFile)
    {
        var samples = PhoenixCorpus.Load(new DatasetLayout(datasetDir).AnnotationsDir, split);
        string text = await File.ReadAllTextAsync(hypFile, Encoding.UTF8, CancellationToken.None).ConfigureAwait(false);
        return EvaluationScoring.Sentences(EvaluationScoring.ReadHypotheses(text), samples);
    }

    /// Runs the process to its end; null when it succeeded, else how the evaluation ends (failed with the tail of
    /// the error output, cancelled, or failed by the portal's shutdown).
    private async Task<JobEnd?> RunProcessAsync(ActiveJob active, IReadOnlyList<string> arguments, string workDir, int threads, CancellationToken stoppingToken)
    {
        if (launcher.MissingProgram("evaluates") is string missing)
            return JobEnd.Failed(missing);
        var output = new ProcessOutput(options.StderrTailLines, keepLines: false, time);
        using var process = launcher.TryStart(arguments, workDir, output, out string? startError, threads);
        if (process is null)
            return JobEnd.Failed(startError!);
        var policy = new ProcessPolicy(trainingOptions.CancelGracePeriod, Timeout.InfiniteTimeSpan);
        var how = await process.SuperviseAsync(active, policy, new Watch(logger, active.Id), stoppingToken).ConfigureAwait(false);
        if (how == ProcessEnd.Shutdown)
            return JobEnd.Failed(EvaluationRunner.ShutdownError);
        if (how == ProcessEnd.Cancelled)
            return JobEnd.Cancelled;
        if (process.ExitCode == 0)
            return null;
        string tail = output.ErrorTail().Trim();
        return JobEnd.Failed($"phoenix-slt evaluate exited with code {process.ExitCode}" + (tail.Length > 0 ? $": {tail}" : "."));
    }

    private async Task FinishAsync(int id, Outcome outcome)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false);
        var row = await db.Evaluations.FirstAsync(e => e.Id == id, CancellationToken.None).ConfigureAwait(false);
        row.FinishedAt = Now();
        row.Status = outcome.End.Status;
        row.Error = outcome.End.Error;
        if (outcome.Sentences is { } sentences)
            EvaluationScoring.Apply(row, sentences);
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        notifier.Publish(EvaluationScoring.ToInfo(row));
        logger.LogInformation("Evaluation {EvaluationId} {Status}: BLEU {Bleu} {Error}", id, row.Status.ToText(), row.SacreBleu, row.Error);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    /// How an evaluation ends, with the sentences of a completed one.
    private sealed record Outcome(JobEnd End, IReadOnlyList<SentenceResult>? Sentences = null);

    /// An evaluation's process only logs what a cancel did (its output is not kept).
    private sealed class Watch(ILogger logger, int evaluationId) : IProcessWatch
    {
        public Task PollAsync() => Task.CompletedTask;

        public Task StopRequestedAsync(int processId, bool signalled, TimeSpan grace)
        {
            if (signalled)
                logger.LogInformation("Evaluation {EvaluationId}: asked process {ProcessId} to stop (SIGTERM)", evaluationId, processId);
            else
                logger.LogInformation("Evaluation {EvaluationId}: process {ProcessId} was killed on cancel", evaluationId, processId);
            return Task.CompletedTask;
        }

        public Task KilledAfterGraceAsync(int processId, TimeSpan grace)
        {
            logger.LogWarning("Evaluation {EvaluationId}: process {ProcessId} did not stop within {GraceSeconds} s and was killed",
                evaluationId, processId, grace.TotalSeconds);
            return Task.CompletedTask;
        }
    }
}
