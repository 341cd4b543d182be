using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Amp;

namespace PhoenixSlt.Training;

/// Settings of the shared training loop (<see cref="Trainer"/>).
public sealed record TrainerOptions
{
    /// Passes over the training data; null = as many as <see cref="MaxSteps"/> needs.
    public int? Epochs { get; init; }

    /// Optimizer steps at most; null = <see cref="Epochs"/> full epochs. At least one of the two must be set.
    public long? MaxSteps { get; init; }

    /// Micro-batches per optimizer step (gradient accumulation); each micro-batch loss is divided by the number of
    /// micro-batches of its step.
    public int Accumulate { get; init; } = 1;

    /// Peak learning rate of each parameter group by name; groups not listed use <see cref="DefaultLearningRate"/>.
    public IReadOnlyDictionary<string, double> LearningRates { get; init; } = new Dictionary<string, double>();

    public double DefaultLearningRate { get; init; } = 1e-4;

    /// Decoupled weight decay of AdamW, applied to matrices and embeddings (parameters with 2 or more dimensions);
    /// biases and norm scales are not decayed. TorchSharp's default is 0, PyTorch's 0.01.
    public double WeightDecay { get; init; } = 0.01;

    public double Beta1 { get; init; } = 0.9;

    /// PyTorch's default (TorchSharp's torch.optim.AdamW factory defaults to 0.99).
    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-8;

    /// Gradients are scaled so that their global L2 norm is at most this; null = no clipping.
    public double? MaxGradNorm { get; init; } = 1.0;

    /// Linear warmup steps; null = 5 % of the run (<see cref="LearningRateSchedule.DefaultWarmup"/>).
    public long? WarmupSteps { get; init; }

    /// The learning-rate multiplier at the end of the cosine decay.
    public double MinLearningRateRatio { get; init; }

    /// Base seed: samplers shuffle with seed + epoch; dropout uses seed + rank.
    public int Seed { get; init; } = 42;

    /// A step event (and a synchronising .item()) every this many optimizer steps.
    public int LogEvery { get; init; } = 10;

    /// The shortest time between two validation_progress events in the middle of a validation (the first and the last
    /// are always written); zero writes one per batch.
    public TimeSpan ValidationProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// Validate every this many optimizer steps; null = at the end of every epoch. A final validation runs when
    /// the last step did not end with one.
    public long? EvalEverySteps { get; init; }

    /// Stop after this many validations without improvement of the task's metric; null = never.
    public int? Patience { get; init; }

    /// Mixed precision: the forward pass and the loss of training and validation run in <see cref="AmpMode.Autocast"/>
    /// (matmuls in bf16/fp16, fp32 master weights, norms/softmax/losses in fp32), backward outside it; fp16 adds
    /// dynamic loss scaling (<see cref="GradScaler"/>: scaled backward, unscale before clipping, skipped steps on
    /// inf/NaN).
    public AmpMode Amp { get; init; } = AmpMode.None;

    /// Settings of the fp16 loss scaler.
    public GradScalerOptions? GradScaler { get; init; }

    /// Where the best and last checkpoint folders go; null = no checkpoints.
    public string? CheckpointDir { get; init; }

    /// The folder a run was initialised from, recorded as parent_checkpoint.
    public string? ParentCheckpoint { get; init; }

    /// Also write the last/ checkpoint (with the trainer state) every this many optimizer steps, so that a run killed
    /// between validations loses at most this many steps; null = only at validations.
    public long? SaveEverySteps { get; init; }

    /// A last/ checkpoint folder to continue from: model weights, AdamW state, schedule position, loss scaler, RNG
    /// state, early-stopping counters, epoch and the position in it; null = a fresh start.
    public string? ResumeFrom { get; init; }

    /// With <see cref="ResumeFrom"/>: false keeps the fresh AdamW moments (a warm restart from the saved weights and
    /// position) instead of the saved ones.
    public bool ResumeOptimizerState { get; init; } = true;

    /// <see cref="CheckpointFolder.Best"/> and <see cref="CheckpointFolder.Last"/> under the names the phase
    /// session uses (the names are declared in Core only).
    public const string BestFolder = CheckpointFolder.Best;
    public const string LastFolder = CheckpointFolder.Last;

    public TrainerOptions Validate()
    {
        if (Epochs is null && MaxSteps is null)
            throw new TrainingConfigurationException("give --epochs or --max-steps (or both) so the run knows when to stop");
        if (Epochs is int e && e <= 0)
            throw new TrainingConfigurationException($"--epochs {e} must be at least 1");
        if (MaxSteps is long s && s <= 0)
            throw new TrainingConfigurationException($"--max-steps {s} must be at least 1");
        if (Accumulate <= 0)
            throw new TrainingConfigurationException($"--accumulate {Accumulate} must be at least 1");
        if (!(DefaultLearningRate > 0) || LearningRates.Values.Any(lr => !(lr > 0) || !double.IsFinite(lr)))
            throw new TrainingConfigurationException("learning rates must be positive numbers (--lr-encoder, --lr-decoder)");
        if (!(WeightDecay >= 0))
            throw new TrainingConfigurationException($"weight decay {WeightDecay} must be 0 or more");
        if (MaxGradNorm is double clip && !(clip > 0))
            throw new TrainingConfigurationException($"gradient clipping norm {clip} must be positive");
        if (WarmupSteps is long w && w < 0)
            throw new TrainingConfigurationException($"warmup steps {w} must be 0 or more");
        if (LogEvery <= 0)
            throw new TrainingConfigurationException($"log interval {LogEvery} must be at least 1");
        if (EvalEverySteps is long v && v <= 0)
            throw new TrainingConfigurationException($"evaluation interval {v} must be at least 1 step");
        if (SaveEverySteps is long save && save <= 0)
            throw new TrainingConfigurationException($"--save-every {save} must be at least 1 step");
        if (ValidationProgressInterval < TimeSpan.Zero)
            throw new TrainingConfigurationException($"validation progress interval {ValidationProgressInterval} must not be negative");
        if (Patience is int p && p <= 0)
            throw new TrainingConfigurationException($"--patience {p} must be at least 1");
        return this;
    }

    public double LearningRateOf(string group) => LearningRates.TryGetValue(group, out double lr) ? lr : DefaultLearningRate;

    /// Optimizer steps of the run: ceil(batches / accumulate) per epoch, times the epochs, capped by the maximum.
    public long TotalSteps(int batchesPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchesPerEpoch);
        long perEpoch = (batchesPerEpoch + Accumulate - 1) / Accumulate;
        long byEpochs = Epochs is int e ? perEpoch * e : long.MaxValue;
        return Math.Min(byEpochs, MaxSteps ?? long.MaxValue);
    }

    /// The trainer state entries this loop saves besides the step counters.
    internal static SchedulerState SchedulerStateOf(LearningRateSchedule schedule, long step) => new(
        LearningRateSchedule.Name, step,
        new Dictionary<string, double>
        {
            ["warmup_steps"] = schedule.WarmupSteps,
            ["total_steps"] = schedule.TotalSteps,
            ["min_ratio"] = schedule.MinRatio,
        });
}
