using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Runs queued evaluations (oldest first), each in a `phoenix-slt evaluate` process (the program and environment of
/// the training processes) on <see cref="EvaluationOptions.Device"/>. An evaluation takes a slot of the training
/// queue's <see cref="DeviceSlots"/>, so runs and evaluations together never exceed
/// <see cref="TrainingOptions.MaxConcurrentRunsPerDevice"/> on a device: an evaluation waits while the device is
/// full of runs, and a run waits while evaluations hold the device. Scores the hypotheses in this process and
/// stores metrics and sentences. Cancel stops the process like a run's (SIGTERM, then a kill after
/// <see cref="TrainingOptions.CancelGracePeriod"/>). Evaluations left running by a previous portal are marked failed
/// at start; queued ones wait for their turn.
public sealed class EvaluationRunner(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatabaseState database,
    EvaluationNotifier notifier,
    TrainingSupervisor supervisor,
    PhoenixPaths paths,
    IOptions<TrainingOptions> trainingOptions,
    IOptions<EvaluationOptions> options,
    TimeProvider time,
    ILogger<EvaluationRunner> logger) : BackgroundService
{
    public const string WorkFolder = "evaluations";
    public const string ShutdownError = "The portal stopped during this evaluation; evaluate the checkpoint again.";

    /// How long the loop sleeps when nobody wakes it (a missed wake-up costs at most this).
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);

    private readonly WakeSignal _wake = new();
    private readonly ConcurrentDictionary<int, ActiveProcess> _active = new();

    /// The devices an evaluation occupies (one slot each).
    public IReadOnlyList<string> Devices => TrainArguments.DevicesOf(options.Value.Device, worldSize: 1);

    /// Ids of the evaluations that have a process (or are about to get one) in this portal.
    public IReadOnlyCollection<int> ActiveEvaluationIds => [.. _active.Keys];

    /// The process id of running evaluation <paramref name="evaluationId"/>, or null when it has none now.
    public int? ProcessIdOf(int evaluationId) => _active.TryGetValue(evaluationId, out var active) ? active.ProcessId : null;

    /// Look at the queue now (an evaluation was queued or a device slot was freed).
    public void Wake() => _wake.Wake();

    /// Stops running evaluation <paramref name="evaluationId"/> (SIGTERM, then a kill after the grace period); it
    /// ends as cancelled. False when this runner does not work on it.
    public bool RequestCancel(int evaluationId)
    {
        if (!_active.TryGetValue(evaluationId, out var active))
            return false;
        active.Cancel();
        return true;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsReady)
        {
            logger.LogWarning("Evaluations are unavailable: {Error}", database.Error);
            return;
        }
        try
        {
            await RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException)
        {
            logger.LogError(e, "Could not recover the evaluations of the previous start");
        }
        using var releases = supervisor.Slots.OnReleased(Wake);    // e.g. a training run ended
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await StartQueuedAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException)
                {
                    logger.LogError(e, "Could not start the queued evaluations");
                }
                await _wake.WaitAsync(IdlePoll, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the evaluations below see the same token.
        }
        finally
        {
            await Task.WhenAll(_active.Values.Select(a => a.Completion)).ConfigureAwait(false);
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var running = await db.Evaluations.Where(e => e.Status == JobStatus.Running).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var evaluation in running)
        {
            evaluation.Status = JobStatus.Failed;
            evaluation.Error = ShutdownError;
            evaluation.FinishedAt = Now();
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// Starts queued evaluations (oldest first) while the evaluation device has a free slot.
    private async Task StartQueuedAsync(CancellationToken stoppingToken)
    {
        List<int> queued;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            queued = await db.Evaluations.AsNoTracking().Where(e => e.Status == JobStatus.Queued)
                .OrderBy(e => e.Id).Select(e => e.Id).ToListAsync(stoppingToken).ConfigureAwait(false);
        }
        foreach (int id in queued)
        {
            if (_active.ContainsKey(id))
                continue;
            if (supervisor.Slots.TryAcquire(Devices) is not { } slots)
                return;                                             // every evaluation waits for the same device
            var active = new ActiveProcess(id, slots);
            if (!_active.TryAdd(id, active))
            {
                active.Dispose();
                continue;
            }
            if (await ClaimAsync(id, stoppingToken).ConfigureAwait(false) is not { } evaluation)
            {
                _active.TryRemove(id, out _);
                active.Dispose();
                continue;
            }
            active.Completion = Task.Run(() => SuperviseAsync(active, evaluation, stoppingToken), CancellationToken.None);
        }
    }

    /// queued → running, unless someone else changed the evaluation meanwhile (e.g. cancelled it); the row, or null.
    private async Task<EvaluationEntity?> ClaimAsync(int id, CancellationToken cancellationToken)
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

    private async Task SuperviseAsync(ActiveProcess active, EvaluationEntity evaluation, CancellationToken stoppingToken)
    {
        try
        {
            var outcome = await RunAsync(active, evaluation, stoppingToken).ConfigureAwait(false);
            await FinishAsync(active.Id, outcome).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException or IOException)
        {
            logger.LogError(e, "Evaluation {EvaluationId} could not be run", active.Id);
            await TryFinishAsync(active.Id, Outcome.Failed($"The portal could not run the evaluation: {e.Message}")).ConfigureAwait(false);
        }
        finally
        {
            _active.TryRemove(active.Id, out _);
            active.Dispose();                                       // gives the device slot back
        }
    }

    /// Runs `phoenix-slt evaluate` and scores its hypotheses.
    private async Task<Outcome> RunAsync(ActiveProcess active, EvaluationEntity evaluation, CancellationToken stoppingToken)
    {
        if (active.CancelRequested)
            return Outcome.Cancelled;
        logger.LogInformation("Evaluation {EvaluationId}: {Checkpoint} on {Dataset}/{Split}, {Beams} beam(s)",
            active.Id, evaluation.CheckpointPath, evaluation.Dataset, evaluation.Split, evaluation.Beams);
        string workDir = Path.Combine(paths.CheckpointRoot, WorkFolder, active.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(workDir);
            string datasetDir = Path.Combine(paths.DataRoot, evaluation.Dataset);
            string hypFile = Path.Combine(workDir, "hypotheses.txt");
            var arguments = EvaluationArguments.For(evaluation.CheckpointPath, datasetDir, evaluation.Split, evaluation.Beams, hypFile,
                options.Value.Device, options.Value.BatchSize);
            var processOutcome = await RunProcessAsync(active, arguments, workDir, stoppingToken).ConfigureAwait(false);
            if (processOutcome is not null)
                return processOutcome;
            var samples = PhoenixCorpus.Load(new DatasetLayout(datasetDir).AnnotationsDir, evaluation.Split);
            var hypotheses = EvaluationScoring.ReadHypotheses(await File.ReadAllTextAsync(hypFile, Encoding.UTF8, CancellationToken.None).ConfigureAwait(false));
            return Outcome.Completed(EvaluationScoring.Sentences(hypotheses, samples));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PhoenixDataException or InvalidDataException or ArgumentException)
        {
            return Outcome.Failed(e.Message);
        }
    }

    /// Runs the process to its end; null when it succeeded, else how the evaluation ends (failed with the tail of
    /// the error output, cancelled, or interrupted by the portal's shutdown).
    private async Task<Outcome?> RunProcessAsync(ActiveProcess active, IReadOnlyList<string> arguments, string workDir, CancellationToken stoppingToken)
    {
        var cli = supervisor.Cli;
        if (!File.Exists(cli.Program))
            return Outcome.Failed($"{cli.Program} not found: the portal evaluates with phoenix-slt. Build the solution (dotnet build) so that phoenix-slt.dll is next to the portal, or set Phoenix:Training:CliPath.");
        var stderr = new LineTail(options.Value.StderrTailLines);
        using var process = new Process { StartInfo = cli.StartInfo(arguments, workDir, trainingOptions.Value.Environment) };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                stderr.Add(e.Data);
        };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return Outcome.Failed($"Could not start {cli.FileName}: {e.Message}. Check Phoenix:Training:CliPath and Phoenix:Training:DotnetPath.");
        }
        active.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool shutdown;
        try
        {
            shutdown = await WaitOrStopAsync(active, process, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
                ProcessControl.KillTree(process);                   // never leave an evaluation process behind
        }
        process.WaitForExit();                                      // the output handlers have seen every line
        active.ProcessId = null;
        if (shutdown)
            return Outcome.Failed(ShutdownError);
        if (active.CancelRequested)
            return Outcome.Cancelled;
        if (process.ExitCode == 0)
            return null;
        string tail = stderr.Text().Trim();
        return Outcome.Failed($"phoenix-slt evaluate exited with code {process.ExitCode}" + (tail.Length > 0 ? $": {tail}" : "."));
    }

    /// Waits for <paramref name="process"/> to exit; on a cancel request asks it to stop (SIGTERM) and kills it after
    /// the grace period; on shutdown kills it. True when the portal is stopping.
    private async Task<bool> WaitOrStopAsync(ActiveProcess active, Process process, CancellationToken stoppingToken)
    {
        var exited = process.WaitForExitAsync(CancellationToken.None);
        using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, active.CancelToken))
        {
            try
            {
                await exited.WaitAsync(wake.Token).ConfigureAwait(false);
                return false;
            }
            catch (OperationCanceledException) when (wake.IsCancellationRequested)
            {
                // Cancel request or shutdown.
            }
        }
        if (stoppingToken.IsCancellationRequested)
        {
            ProcessControl.KillTree(process);
            return true;
        }
        TimeSpan grace = trainingOptions.Value.CancelGracePeriod;
        if (!ProcessControl.RequestStop(process))
        {
            ProcessControl.KillTree(process);
            logger.LogInformation("Evaluation {EvaluationId}: process {ProcessId} was killed on cancel", active.Id, process.Id);
            return false;
        }
        logger.LogInformation("Evaluation {EvaluationId}: asked process {ProcessId} to stop (SIGTERM)", active.Id, process.Id);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            if (await Task.WhenAny(exited, Task.Delay(grace, wait.Token)).ConfigureAwait(false) == exited)
                return false;
        }
        ProcessControl.KillTree(process);
        if (stoppingToken.IsCancellationRequested)
            return true;
        logger.LogWarning("Evaluation {EvaluationId}: process {ProcessId} did not stop within {GraceSeconds} s and was killed",
            active.Id, process.Id, grace.TotalSeconds);
        return false;
    }

    private async Task FinishAsync(int id, Outcome outcome)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false);
        var row = await db.Evaluations.FirstAsync(e => e.Id == id, CancellationToken.None).ConfigureAwait(false);
        row.FinishedAt = Now();
        row.Status = outcome.Status;
        row.Error = outcome.Error;
        if (outcome.Sentences is { } sentences)
            EvaluationScoring.Apply(row, sentences);
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        notifier.Publish(EvaluationScoring.ToInfo(row));
        logger.LogInformation("Evaluation {EvaluationId} {Status}: BLEU {Bleu} {Error}", id, row.Status, row.SacreBleu, row.Error);
    }

    private async Task TryFinishAsync(int id, Outcome outcome)
    {
        try
        {
            await FinishAsync(id, outcome).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException)
        {
            logger.LogError(e, "Could not mark evaluation {EvaluationId} {Status}", id, outcome.Status);
        }
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    /// How an evaluation ends: its status, the error of a failure, the sentences of a completed one.
    private sealed record Outcome(JobStatus Status, string? Error, IReadOnlyList<SentenceResult>? Sentences)
    {
        public static readonly Outcome Cancelled = new(JobStatus.Cancelled, null, null);

        public static Outcome Completed(IReadOnlyList<SentenceResult> sentences) => new(JobStatus.Completed, null, sentences);

        public static Outcome Failed(string error) => new(JobStatus.Failed, error, null);
    }
}
