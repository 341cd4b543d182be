using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// The scalars a trainer needs to resume exactly where it stopped (<c>trainer_state.json</c>); the tensors
/// (optimizer moments, RNG state) go to <c>trainer_state.safetensors</c> (see <see cref="TrainerCheckpoint"/>).
public sealed record TrainerState
{
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// Optimizer steps done.
    [JsonPropertyName("step")] public long Step { get; init; }

    /// Epoch in progress (0-based).
    [JsonPropertyName("epoch")] public int Epoch { get; init; }

    /// Batches of <see cref="Epoch"/> already consumed (by this rank); resume skips them.
    [JsonPropertyName("batch_in_epoch")] public long BatchInEpoch { get; init; }

    /// The run's base seed (samplers shuffle with seed + epoch; ranks add their rank).
    [JsonPropertyName("seed")] public long Seed { get; init; }

    /// Names (without the "rng." prefix) of the random-generator states stored as tensors, e.g. "torch_cpu".
    [JsonPropertyName("rng")] public IReadOnlyList<string> RandomStates { get; init; } = [];

    /// Mixed-precision loss scaler, or null when not used.
    [JsonPropertyName("scaler")] public GradScalerState? Scaler { get; init; }

    /// Learning-rate schedule position, or null when there is none.
    [JsonPropertyName("scheduler")] public SchedulerState? Scheduler { get; init; }

    /// Optimizer hyper-parameters and per-parameter step counts (moments are tensors), or null.
    [JsonPropertyName("optimizer")] public OptimizerStateInfo? Optimizer { get; init; }

    /// Further trainer scalars by name (early-stopping patience counter, …).
    [JsonPropertyName("extra")] public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();
}

/// State of a dynamic loss scaler (torch.cuda.amp.GradScaler semantics).
public sealed record GradScalerState(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("growth_tracker")] int GrowthTracker,
    [property: JsonPropertyName("growth_factor")] double GrowthFactor = 2.0,
    [property: JsonPropertyName("backoff_factor")] double BackoffFactor = 0.5,
    [property: JsonPropertyName("growth_interval")] int GrowthInterval = 2000,
    [property: JsonPropertyName("enabled")] bool Enabled = true);

/// Position of a learning-rate schedule: its kind, how many times it was stepped and any values it needs.
public sealed record SchedulerState(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("last_step")] long LastStep,
    [property: JsonPropertyName("values")] IReadOnlyDictionary<string, double>? Values = null);

/// Hyper-parameters and per-parameter step counts of an Adam/AdamW optimizer.
/// <param name="Kind">"adamw" or "adam".</param>
public sealed record OptimizerStateInfo(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("param_groups")] IReadOnlyList<OptimizerGroupState> Groups);

/// One parameter group: its options and, aligned with <see cref="Parameters"/>, each parameter's step count.
public sealed record OptimizerGroupState
{
    [JsonPropertyName("lr")] public double LearningRate { get; init; }
    [JsonPropertyName("initial_lr")] public double InitialLearningRate { get; init; }
    [JsonPropertyName("beta1")] public double Beta1 { get; init; }
    [JsonPropertyName("beta2")] public double Beta2 { get; init; }
    [JsonPropertyName("eps")] public double Eps { get; init; }
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; }
    [JsonPropertyName("amsgrad")] public bool AmsGrad { get; init; }
    [JsonPropertyName("maximize")] public bool Maximize { get; init; }

    /// Parameter names (as in the model's named_parameters) in the group's order.
    [JsonPropertyName("parameters")] public required IReadOnlyList<string> Parameters { get; init; }

    /// Adam step count of each parameter (bias correction depends on it).
    [JsonPropertyName("steps")] public required IReadOnlyList<long> Steps { get; init; }
}
