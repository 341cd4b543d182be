using System.Text.Json;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Services.Runs;

/// How a stage's event stream ended so far: still going, <c>finished</c>, or <c>failed</c> with its message.
public sealed class StageEnd
{
    public bool Finished { get; private set; }
    public string? FailureMessage { get; private set; }
    public bool Failed => FailureMessage is not null;
    public bool Ended => Finished || Failed;

    internal void Finish() => Finished = true;

    internal void Fail(string message) => FailureMessage = message;
}

/// Applies progress events (docs/EVENTS.md) of a run's stage to the database: metric points, the run's
/// progress and best result, and checkpoint rows. The caller saves the context.
/// Metric names: <c>loss</c>, <c>lr_&lt;group&gt;</c> and <c>samples_per_s</c> from step events; every key of an
/// eval event's <c>metrics</c>.
public static class RunEventIngestor
{
    public const string LossMetric = "loss";
    public const string LrMetricPrefix = "lr_";
    public const string ThroughputMetric = "samples_per_s";

    /// The metric a stage's best checkpoint is chosen by (as the trainer does): slt highest bleu4, else lowest val_loss.
    public static string WatchedMetric(string stage) => stage == TrainingPhaseNames.Slt ? "bleu4" : "val_loss";

    /// Applies <paramref name="progressEvent"/> of <paramref name="stage"/> to <paramref name="run"/> (tracked by
    /// <paramref name="db"/>) and records how the stream ended in <paramref name="end"/>.
    public static async Task ApplyAsync(PhoenixDbContext db, RunEntity run, string stage, ProgressEvent progressEvent, StageEnd end,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progressEvent);
        ArgumentNullException.ThrowIfNull(end);
        DateTime time = progressEvent.Time.UtcDateTime;
        switch (progressEvent)
        {
            case RunStartedEvent started:
                run.ProgressTotal = started.TotalSteps;
                run.WorldSize = started.WorldSize;
                break;
            case StepEvent step:
                run.ProgressStep = step.Step;
                run.Epoch = step.Epoch;
                run.SamplesPerSecond = Finite(step.SamplesPerS);
                run.EtaSeconds = step.EtaS is double eta ? Finite(eta) : null;
                if (step.Loss is double loss)
                    AddPoint(db, run.Id, stage, step.Step, step.Epoch, LossMetric, loss, time);
                foreach (var (group, lr) in step.Lr)
                    AddPoint(db, run.Id, stage, step.Step, step.Epoch, LrMetricPrefix + group, lr, time);
                AddPoint(db, run.Id, stage, step.Step, step.Epoch, ThroughputMetric, step.SamplesPerS, time);
                break;
            case EvalEvent eval:
                run.ProgressStep = Math.Max(run.ProgressStep, eval.Step);
                run.Epoch = eval.Epoch;
                foreach (var (name, value) in eval.Metrics)
                    AddPoint(db, run.Id, stage, eval.Step, eval.Epoch, name, value, time);
                if (eval.Samples.Count > 0)
                    run.LatestSamplesJson = JsonSerializer.Serialize(eval.Samples, RunStore.Json);
                break;
            case CheckpointEvent checkpoint:
                await RecordCheckpointAsync(db, run, stage, checkpoint, cancellationToken).ConfigureAwait(false);
                break;
            case FinishedEvent finished:
                run.ProgressStep = Math.Max(run.ProgressStep, finished.Step);
                if (finished.BestCheckpoint is not null)
                    run.BestCheckpoint = finished.BestCheckpoint;
                SetBest(run, stage, finished.Metrics);
                end.Finish();
                break;
            case FailedEvent failed:
                end.Fail(failed.Message);
                break;
        }
    }

    /// Parses one line of the stream: the typed event and the raw JSON object, or null with the reason.
    public static (ProgressEvent Event, JsonElement Json)? TryParse(string line, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            var parsed = ProgressEventJson.Parse(line);
            using var document = JsonDocument.Parse(line);
            problem = null;
            return (parsed, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            problem = e.Message;
            return null;
        }
        catch (NotSupportedException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private static async Task RecordCheckpointAsync(PhoenixDbContext db, RunEntity run, string stage, CheckpointEvent checkpoint, CancellationToken cancellationToken)
    {
        var found = CheckpointCatalog.Read(checkpoint.Path, run.Id, checkpoint.IsBest) ?? new CheckpointEntity
        {
            Path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpoint.Path)),
            Phase = stage,
            RunId = run.Id,
            Step = run.ProgressStep,
            IsBest = checkpoint.IsBest,
            CreatedAt = checkpoint.Time.UtcDateTime,
            SizeBytes = CheckpointCatalog.FolderSize(checkpoint.Path),
        };
        found.MetricsJson = CheckpointCatalog.MetricsJson(checkpoint.Metrics);
        await CheckpointCatalog.UpsertAsync(db, found, cancellationToken).ConfigureAwait(false);
        if (checkpoint.IsBest)
        {
            run.BestCheckpoint = found.Path;
            SetBest(run, stage, checkpoint.Metrics);
        }
    }

    private static void SetBest(RunEntity run, string stage, IReadOnlyDictionary<string, double> metrics)
    {
        string watched = WatchedMetric(stage);
        if (metrics.TryGetValue(watched, out double value) && double.IsFinite(value))
        {
            run.BestMetricName = watched;
            run.BestMetricValue = value;
        }
        if (stage == TrainingPhaseNames.Slt && metrics.TryGetValue("bleu4", out double bleu) && double.IsFinite(bleu))
            run.BestBleu4 = bleu;
    }

    private static void AddPoint(PhoenixDbContext db, int runId, string stage, long step, int epoch, string name, double value, DateTime time)
    {
        if (!double.IsFinite(value))
            return;
        db.MetricPoints.Add(new MetricPoint { RunId = runId, Stage = stage, Step = step, Epoch = epoch, Name = name, Value = value, Time = time });
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
