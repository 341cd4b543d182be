using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Services.Evaluation;

/// The result of a request to evaluate: the queued evaluation, or why not (missing checkpoint, field errors).
public sealed record EvaluationSubmission(EvaluationInfo? Evaluation, bool CheckpointMissing, IReadOnlyDictionary<string, string[]> Errors)
{
    public static EvaluationSubmission Invalid(string field, string message) => new(null, false, new Dictionary<string, string[]> { [field] = [message] });
}

/// Queues and cancels evaluations of checkpoints and reads them back (with their sentences) for the API and the
/// pages. Evaluations are queued in the database; the <see cref="EvaluationRunner"/> starts their processes.
public sealed class EvaluationService(
    IDbContextFactory<PhoenixDbContext> contexts,
    PhoenixPaths paths,
    EvaluationRunner runner,
    EvaluationNotifier notifier,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Options.BeamOptions> beams)
{
    public static readonly IReadOnlyList<string> Splits = ["dev", "test"];

    public async Task<EvaluationSubmission> SubmitAsync(int checkpointId, EvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await db.Checkpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Id == checkpointId, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
            return new EvaluationSubmission(null, true, new Dictionary<string, string[]>());
        string split = (request.Split ?? "").Trim().ToLowerInvariant();
        if (!Splits.Contains(split))
            return EvaluationSubmission.Invalid("split", $"Split '{request.Split}' cannot be evaluated; use dev or test.");
        if (beams.Value.Problem(request.Beams) is string beamProblem)
            return EvaluationSubmission.Invalid("beams", beamProblem);
        if (checkpoint.Phase != TrainingPhaseNames.Slt)
            return EvaluationSubmission.Invalid("checkpoint", $"Checkpoint {checkpoint.Path} is a {checkpoint.Phase} checkpoint; only slt checkpoints translate. Evaluate the checkpoint of an slt run.");

        string? dataset = string.IsNullOrWhiteSpace(request.Dataset) ? null : request.Dataset.Trim();
        if (dataset is null && checkpoint.RunId is int runId)
            dataset = await db.Runs.Where(r => r.Id == runId).Select(r => r.Dataset).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        dataset = string.IsNullOrWhiteSpace(dataset) ? paths.DefaultDataset : dataset;
        if (DatasetProblem(dataset, split) is string problem)
            return EvaluationSubmission.Invalid("dataset", problem);

        var evaluation = new EvaluationEntity
        {
            CheckpointId = checkpoint.Id,
            CheckpointPath = checkpoint.Path,
            Dataset = dataset,
            Split = split,
            Beams = request.Beams,
            Status = JobStatus.Queued,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Evaluations.Add(evaluation);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var info = EvaluationScoring.ToInfo(evaluation);
        notifier.Publish(info);
        runner.Wake();
        return new EvaluationSubmission(info, false, new Dictionary<string, string[]>());
    }

    /// Cancels a queued evaluation at once, or asks the process of a running one to stop (SIGTERM, then a kill after
    /// the grace period); the evaluation ends as cancelled.
    public async Task<EvaluationCancelResult> CancelAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var row = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
            if (row is null)
                return new EvaluationCancelResult(EvaluationCancelOutcome.NotFound, $"Evaluation {id} does not exist.", null);
            if (row.Status == JobStatus.Running && runner.RequestCancel(id))
                return new EvaluationCancelResult(EvaluationCancelOutcome.Stopping, $"Evaluation {id} is stopping.", EvaluationScoring.ToInfo(row));
            if (!row.Status.IsActive())
                return new EvaluationCancelResult(EvaluationCancelOutcome.AlreadyFinished,
                    $"Evaluation {id} is {row.Status.ToText()}; only queued or running evaluations can be cancelled.", EvaluationScoring.ToInfo(row));

            // Queued, or running without a process of this portal: conditional, the runner may be starting it now.
            JobStatus status = row.Status;
            DateTime now = time.GetUtcNow().UtcDateTime;
            int changed = await db.Evaluations.Where(e => e.Id == id && e.Status == status)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, JobStatus.Cancelled).SetProperty(e => e.FinishedAt, now), cancellationToken)
                .ConfigureAwait(false);
            if (changed == 0)
                continue;
            var info = EvaluationScoring.ToInfo(await db.Evaluations.AsNoTracking().FirstAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false));
            notifier.Publish(info);
            return new EvaluationCancelResult(EvaluationCancelOutcome.Cancelled,
                status == JobStatus.Queued ? $"Evaluation {id} was cancelled before it started." : $"Evaluation {id} was cancelled.", info);
        }
    }

    /// Why <paramref name="dataset"/> cannot be evaluated on <paramref name="split"/>, or null.
    public string? DatasetProblem(string dataset, string split)
    {
        if (dataset.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0 || dataset is "." or "..")
            return $"Dataset '{dataset}' is not a folder name; give the name of a dataset under the data root (as the Datasets page lists them).";
        string folder = Path.Combine(paths.DataRoot, dataset);
        if (!Directory.Exists(folder))
            return $"Dataset folder {folder} does not exist; pick a dataset the Datasets page lists.";
        string annotations = new DatasetLayout(folder).AnnotationsDir;
        if (PhoenixCorpus.FindFile(annotations, split) is null)
            return $"{annotations}: no {split} split ({string.Join(" or ", PhoenixCorpus.CandidateFiles(annotations, split).Select(Path.GetFileName))}); add it or pick another dataset.";
        return null;
    }

    /// Evaluations, newest first (optionally of one checkpoint).
    public async Task<IReadOnlyList<EvaluationInfo>> ListAsync(int? checkpointId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<EvaluationEntity> rows = db.Evaluations.AsNoTracking();
        if (checkpointId is int id)
            rows = rows.Where(e => e.CheckpointId == id);
        var list = await rows.OrderByDescending(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.Select(EvaluationScoring.ToInfo)];
    }

    public async Task<EvaluationDetails?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Evaluations.AsNoTracking().Include(e => e.Sentences).FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToDetails(row);
    }

    /// Evaluations <paramref name="ids"/> with sentences, in the order asked; missing ids are left out.
    public async Task<IReadOnlyList<EvaluationDetails>> GetManyAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Evaluations.AsNoTracking().Include(e => e.Sentences).Where(e => ids.Contains(e.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. ids.Select(id => rows.FirstOrDefault(r => r.Id == id)).OfType<EvaluationEntity>().Select(ToDetails)];
    }

    private static EvaluationDetails ToDetails(EvaluationEntity row) =>
        new(EvaluationScoring.ToInfo(row), [.. row.Sentences.OrderBy(s => s.Index).Select(s => new SentenceResult(s.Index, s.Name, s.Reference, s.Hypothesis, s.SentenceBleu))]);
}
