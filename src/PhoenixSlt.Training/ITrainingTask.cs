using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training;

/// The metric that decides the best checkpoint and early stopping.
public sealed record MetricGoal(string Name, bool HigherIsBetter);

/// What a validation pass produced (the same on every rank).
/// <param name="Metrics">Metric values by name (see <see cref="Core.Metrics.MetricNames"/>).</param>
/// <param name="Samples">A few translations to show (translation phases only).</param>
public sealed record ValidationResult(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<Events.TranslationSample> Samples)
{
    public double this[string metric] => Metrics.TryGetValue(metric, out double value) ? value : double.NaN;
}

/// How far a validation pass is: <paramref name="Done"/> of <paramref name="Total"/> clips (sentences in the text
/// phase) of the validation split.
public readonly record struct ValidationCount(int Done, int Total)
{
    /// The split-level count of a rank that has done <paramref name="shareDone"/> of its <paramref name="shareTotal"/>
    /// clips of a split of <paramref name="splitTotal"/>: its fraction scaled to the split (every rank decodes a share of
    /// nearly the same size); all of the split once the share is done. One process: the share is the split.
    public static ValidationCount OfShare(int shareDone, int shareTotal, int splitTotal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shareDone);
        ArgumentOutOfRangeException.ThrowIfNegative(splitTotal);
        if (shareTotal <= 0 || shareDone >= shareTotal)
            return new ValidationCount(splitTotal, splitTotal);
        return new ValidationCount((int)((long)shareDone * splitTotal / shareTotal), splitTotal);
    }
}

/// What the trainer asks a task to put into a checkpoint.
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Epoch">Epoch in progress (0-based).</param>
/// <param name="Metrics">The latest validation metrics.</param>
/// <param name="Best">The best value of the watched metric so far.</param>
public sealed record CheckpointRequest(long Step, int Epoch, IReadOnlyDictionary<string, double> Metrics, BestMetric? Best)
{
    /// checkpoint.json contents for a model of <paramref name="phase"/> at this step.
    public CheckpointMetadata Metadata<TConfig>(CheckpointPhase phase, TConfig modelConfig)
        => CheckpointMetadata.Create(phase, modelConfig) with
        {
            Step = Step,
            Epoch = Epoch,
            Metrics = Metrics,
            BestMetric = Best,
        };
}

/// One training phase as the <see cref="Trainer"/> sees it: a model, its parameter groups, the micro-batches of
/// an epoch, the loss of a micro-batch, a validation pass and the checkpoint contents. Implementations own their
/// data and model (dispose them).
/// <para>Data parallelism: <see cref="EpochBatches"/> returns this rank's shard with the same number of batches on
/// every rank; <see cref="Validate"/> is called on every rank and may use the group's collectives (it must return
/// the same result everywhere).</para>
public interface ITrainingTask : IDisposable
{
    TrainingPhase Phase { get; }

    /// The model being trained, already on its device.
    nn.Module Model { get; }

    /// The device of the model and of the batches.
    Device Device { get; }

    /// The metric for best checkpoints and early stopping.
    MetricGoal Goal { get; }

    /// Settings to publish in the run_started event (a JSON object).
    JsonElement DescribeConfig();

    /// Trainable parameters by optimizer group (each parameter once).
    IReadOnlyList<ParameterGroup> ParameterGroups();

    /// This rank's micro-batches (dataset indices) of an epoch, in training order. Deterministic for (epoch, rank,
    /// world size); the count is the same for every epoch and rank.
    IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize);

    /// The mean training loss of one micro-batch of epoch <paramref name="epoch"/> (a scalar with its autograd
    /// graph), computed in the caller's dispose scope with the model in training mode.
    Tensor Loss(int[] batch, int epoch);

    /// A validation pass with the model in eval mode and gradients off. Reports to <paramref name="progress"/> (when
    /// given) how many clips are done (<see cref="ValidationCount.OfShare"/>): 0 at the start, after each batch, all at the end.
    ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken);

    /// The checkpoint folder contents (weights, metadata, tokenizer, extra files) for the model as it is now.
    CheckpointContent CreateCheckpoint(CheckpointRequest request);
}

/// How a run ended.
/// <param name="Steps">Optimizer steps done.</param>
/// <param name="Best">Best value of the watched metric, or null when no evaluation gave a finite value.</param>
/// <param name="BestCheckpoint">Folder of the best checkpoint, or null when none was written.</param>
/// <param name="LastCheckpoint">Folder of the last checkpoint, or null when none was written.</param>
/// <param name="BestMetrics">Every metric of the best evaluation.</param>
/// <param name="LastValidation">The final validation pass.</param>
/// <param name="EarlyStopped">True when patience ran out.</param>
public sealed record TrainingResult(
    long Steps,
    int Epochs,
    BestMetric? Best,
    string? BestCheckpoint,
    string? LastCheckpoint,
    IReadOnlyDictionary<string, double> BestMetrics,
    ValidationResult? LastValidation,
    bool EarlyStopped);
