using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Training.Events;

/// One line of the training progress stream (docs/EVENTS.md): a JSON object whose <c>type</c> says which of the
/// records below it is. Property names are snake_case (see <see cref="ProgressEventJson"/>); numbers that are not
/// finite (NaN, ±∞) are written as null, and metrics dictionaries leave them out.
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunStartedEvent), RunStartedEvent.TypeName)]
[JsonDerivedType(typeof(StepEvent), StepEvent.TypeName)]
[JsonDerivedType(typeof(ValidationProgressEvent), ValidationProgressEvent.TypeName)]
[JsonDerivedType(typeof(EvalEvent), EvalEvent.TypeName)]
[JsonDerivedType(typeof(CheckpointEvent), CheckpointEvent.TypeName)]
[JsonDerivedType(typeof(EarlyStopEvent), EarlyStopEvent.TypeName)]
[JsonDerivedType(typeof(FinishedEvent), FinishedEvent.TypeName)]
[JsonDerivedType(typeof(FailedEvent), FailedEvent.TypeName)]
public abstract record ProgressEvent
{
    /// When the event happened (UTC, ISO 8601).
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}

/// The run begins: what is trained, with which settings, on how many processes and devices, for how many steps.
public sealed record RunStartedEvent(string Phase, JsonElement Config, int WorldSize, string Device, long TotalSteps) : ProgressEvent
{
    public const string TypeName = "run_started";
}

/// Training progress at a logging step. <paramref name="Loss"/> is the mean training loss over the optimizer steps
/// since the previous step event (over all ranks); <paramref name="Lr"/> the learning rate of each parameter group
/// at this step; throughput counts samples of every rank.
public sealed record StepEvent(
    long Step,
    int Epoch,
    double? Loss,
    IReadOnlyDictionary<string, double> Lr,
    double SamplesPerS,
    double? EtaS) : ProgressEvent
{
    public const string TypeName = "step";
}

/// How far a validation pass is: <paramref name="ClipsDone"/> of the <paramref name="ClipsTotal"/> clips of the
/// validation split (sentences in the text phase) after <paramref name="ElapsedS"/> seconds of it. Written at the start
/// (0 done), at most every <see cref="TrainerOptions.ValidationProgressInterval"/> while it runs, and when the last batch
/// is done; the pass's <see cref="EvalEvent"/> follows. <paramref name="Epoch"/> is 0-based as in every event;
/// <paramref name="EtaS"/> estimates the rest of the run, this validation and the later ones included
/// (<see cref="TrainingEta"/>).
public sealed record ValidationProgressEvent(
    string Phase,
    long Step,
    int Epoch,
    int ClipsDone,
    int ClipsTotal,
    double ElapsedS,
    double? EtaS) : ProgressEvent
{
    public const string TypeName = "validation_progress";
}

/// One translation shown in an evaluation.
public sealed record TranslationSample(string Name, string Reference, string Hypothesis);

/// A validation pass. Translation metrics (0–100) are null for phases that do not translate (text, vlp).
public sealed record EvalEvent : ProgressEvent
{
    public const string TypeName = "eval";

    public long Step { get; init; }
    public int Epoch { get; init; }
    public double? ValLoss { get; init; }
    public double? Bleu1 { get; init; }
    public double? Bleu2 { get; init; }
    public double? Bleu3 { get; init; }
    public double? Bleu4 { get; init; }
    public double? RougeL { get; init; }
    public double? Chrf { get; init; }

    /// Every metric of the evaluation by name (the fields above and any phase-specific ones).
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyList<TranslationSample> Samples { get; init; } = [];
}

/// A checkpoint folder was written. <paramref name="IsBest"/>: it holds the best validation result so far.
public sealed record CheckpointEvent(string Path, IReadOnlyDictionary<string, double> Metrics, bool IsBest) : ProgressEvent
{
    public const string TypeName = "checkpoint";
}

/// The best value of the watched metric so far.
public sealed record BestValue(string Metric, double Value, long Step, bool HigherIsBetter);

/// Training stopped because the watched metric did not improve for the patience's number of evaluations.
public sealed record EarlyStopEvent(long Step, BestValue? Best) : ProgressEvent
{
    public const string TypeName = "early_stop";
}

/// Training ended normally. <paramref name="Metrics"/> are those of the best checkpoint.
public sealed record FinishedEvent(string? BestCheckpoint, IReadOnlyDictionary<string, double> Metrics) : ProgressEvent
{
    public const string TypeName = "finished";

    /// Optimizer steps done.
    public long Step { get; init; }

    /// Wall time of the run in seconds.
    public double ElapsedS { get; init; }
}

/// Training ended with an error (or was cancelled); <paramref name="Message"/> says what went wrong.
public sealed record FailedEvent(string Message) : ProgressEvent
{
    public const string TypeName = "failed";
}
