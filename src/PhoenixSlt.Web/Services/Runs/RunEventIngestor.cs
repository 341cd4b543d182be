using System.Text.Json;
using PhoenixSlt.Core.Metrics;
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

/// Applies progress events (docs/EVENTS.md) of a run's stage to the database: metric points (those of
/// <see cref="RunEventMetrics.Of"/>), the run's progress and best result, and checkpoint rows. The caller saves the
/// context.
public static class RunEventIngestor
{
    /// The metric a stage's best checkpoint is chosen by (as the trainer does): slt highest bleu4, else lowest val_loss.
    public static string WatchedMetric(string stage) => stage == TrainingPhaseNames.Slt ? MetricNames.Bleu4 : MetricNames.ValLoss;

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
        foreach (var point in RunEventMetrics.Of(progressEvent))
            db.MetricPoints.Add(new MetricPoint { RunId = run.Id, Stage = stage, Step = point.Step, Epoch = point.Epoch, Name = point.Name, Value = point.Value, Time = time });
        switch (progressEvent)
        {
            case RunStartedEvent started:
                run.ProgressTotal = started.TotalSteps;
                run.WorldSize = started.WorldSize;
                EndValidation(run);
                break;
            case StepEvent step:
                run.ProgressStep = step.Step;
                run.Epoch = step.Epoch;
                run.SamplesPerSecond = Finite(step.SamplesPerS);
                run.EtaSeconds = step.EtaS is double eta ? Finite(eta) : null;
                EndValidation(run);
                break;
            case ValidationProgressEvent validation:
                run.ProgressStep = Math.Max(run.ProgressStep, validation.Step);
                run.Epoch = validation.Epoch;
                run.EtaSeconds = validation.EtaS is double left ? Finite(left) : null;
                run.ValidationDone = Math.Max(0, validation.ClipsDone);
                run.ValidationTotal = Math.Max(0, validation.ClipsTotal);
                break;
            case EvalEvent eval:
                run.ProgressStep = Math.Max(run.ProgressStep, eval.Step);
                run.Epoch = eval.Epoch;
                EndValidation(run);
                if (eval.Samples.Count > 0)
                    run.LatestSamplesJson = JsonSerializer.Serialize(eval.Samples, RunStore.Json);
                break;
            case CheckpointEvent checkpoint:
                await RecordCheckpointAsync(db, run, stage, checkpoint, cancellationToken).ConfigureAwait(false);
                break;
            case FinishedEvent finished:
                EndValidation(run);
                run.ProgressStep = Math.Max(run.ProgressStep, finished.Step);
                if (finished.BestCheckpoint is not null)
                    run.BestCheckpoint = finished.BestCheckpoint;
                SetBest(run, stage, finished.Metrics);
                end.Finish();
                break;
            case FailedEvent failed:
                EndValidation(run);
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
        if (stage == TrainingPhaseNames.Slt && metrics.TryGetValue(MetricNames.Bleu4, out double bleu) && double.IsFinite(bleu))
            run.BestBleu4 = bleu;
    }

    /// No validation in progress any more (its eval arrived, training went on, or the stage ended).
    public static void EndValidation(RunEntity run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.ValidationDone = null;
        run.ValidationTotal = null;
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
