using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Runs queued evaluations one at a time, each in a `phoenix-slt evaluate` process (the program and environment of
/// the training processes); scores the hypotheses in this process and stores metrics and sentences. Evaluations
/// left running by a previous portal are marked failed at start, queued ones are run.
public sealed class EvaluationRunner(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatabaseState database,
    EvaluationQueue queue,
    EvaluationNotifier notifier,
    TrainingSupervisor supervisor,
    PhoenixPaths paths,
    IOptions<TrainingOptions> trainingOptions,
    IOptions<EvaluationOptions> options,
    TimeProvider time,
    ILogger<EvaluationRunner> logger) : BackgroundService
{
    public const string WorkFolder = "evaluations";

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
        while (!stoppingToken.IsCancellationRequested)
        {
            int id;
            try
            {
                id = await queue.DequeueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await RunAsync(id, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or SqliteException or InvalidOperationException or IOException)
            {
                logger.LogError(e, "Evaluation {EvaluationId} could not be run", id);
            }
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var open = await db.Evaluations.Where(e => e.Status == EvaluationStatuses.Running || e.Status == EvaluationStatuses.Queued)
            .OrderBy(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var evaluation in open.Where(e => e.Status == EvaluationStatuses.Running))
        {
            evaluation.Status = EvaluationStatuses.Failed;
            evaluation.Error = "The portal stopped during this evaluation; evaluate the checkpoint again.";
            evaluation.FinishedAt = time.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var evaluation in open.Where(e => e.Status == EvaluationStatuses.Queued))
            queue.Enqueue(evaluation.Id);
    }

    private async Task RunAsync(int id, CancellationToken stoppingToken)
    {
        EvaluationEntity? evaluation;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            evaluation = await db.Evaluations.FirstOrDefaultAsync(e => e.Id == id, stoppingToken).ConfigureAwait(false);
            if (evaluation is null || evaluation.Status != EvaluationStatuses.Queued)
                return;
            evaluation.Status = EvaluationStatuses.Running;
            evaluation.StartedAt = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(stoppingToken).ConfigureAwait(false);
        }
        notifier.Publish(EvaluationScoring.ToInfo(evaluation));
        logger.LogInformation("Evaluation {EvaluationId}: {Checkpoint} on {Dataset}/{Split}, {Beams} beam(s)", id, evaluation.CheckpointPath, evaluation.Dataset, evaluation.Split, evaluation.Beams);

        string? error;
        IReadOnlyList<SentenceResult>? sentences = null;
        string workDir = Path.Combine(paths.CheckpointRoot, WorkFolder, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(workDir);
            string datasetDir = Path.Combine(paths.DataRoot, evaluation.Dataset);
            string hypFile = Path.Combine(workDir, "hypotheses.txt");
            error = await RunProcessAsync(EvaluationArguments.For(evaluation.CheckpointPath, datasetDir, evaluation.Split, evaluation.Beams, hypFile,
                options.Value.Device, options.Value.BatchSize), workDir, stoppingToken).ConfigureAwait(false);
            if (error is null)
            {
                var samples = PhoenixCorpus.Load(new DatasetLayout(datasetDir).AnnotationsDir, evaluation.Split);
                var hypotheses = EvaluationScoring.ReadHypotheses(await File.ReadAllTextAsync(hypFile, Encoding.UTF8, stoppingToken).ConfigureAwait(false));
                sentences = EvaluationScoring.Sentences(hypotheses, samples);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PhoenixDataException or InvalidDataException or ArgumentException)
        {
            error = e.Message;
        }

        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var row = await db.Evaluations.FirstAsync(e => e.Id == id, CancellationToken.None).ConfigureAwait(false);
            row.FinishedAt = time.GetUtcNow().UtcDateTime;
            if (sentences is not null)
            {
                EvaluationScoring.Apply(row, sentences);
                row.Status = EvaluationStatuses.Completed;
            }
            else
            {
                row.Status = EvaluationStatuses.Failed;
                row.Error = error;
            }
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            notifier.Publish(EvaluationScoring.ToInfo(row));
            logger.LogInformation("Evaluation {EvaluationId} {Status}: BLEU {Bleu} {Error}", id, row.Status, row.SacreBleu, row.Error);
        }
    }

    /// Runs `phoenix-slt evaluate`; null when it succeeded, else the message of its failure.
    private async Task<string?> RunProcessAsync(IReadOnlyList<string> arguments, string workDir, CancellationToken stoppingToken)
    {
        var cli = supervisor.Cli;
        var info = cli.StartInfo(arguments, workDir, trainingOptions.Value.Environment);

        var stderr = new Queue<string>();
        int keep = options.Value.StderrTailLines;
        using var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                while (stderr.Count > keep)
                    stderr.Dequeue();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return $"Could not start {cli.FileName}: {e.Message}. Check Phoenix:Training:CliPath and Phoenix:Training:DotnetPath.";
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
                ProcessControl.KillTree(process);
        }
        process.WaitForExit();
        if (process.ExitCode == 0)
            return null;
        string tail;
        lock (stderr)
            tail = string.Join('\n', stderr).Trim();
        return $"phoenix-slt evaluate exited with code {process.ExitCode}" + (tail.Length > 0 ? $": {tail}" : ".");
    }
}
