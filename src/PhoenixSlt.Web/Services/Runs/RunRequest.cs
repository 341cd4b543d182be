using System.Text.Json.Serialization;

namespace PhoenixSlt.Web.Services.Runs;

/// The settings of a new training run, as the New-run form and POST /api/runs give them. Every value maps to an
/// option of `phoenix-slt train` (see <see cref="TrainArguments"/>); null means "the CLI's default". Defaults
/// match the CLI, except <see cref="Epochs"/>: the CLI needs epochs or max steps and has no default for either.
/// Check a request with <see cref="RunRequestValidator.Validate"/> before starting it.
public sealed record RunRequest
{
    /// CLI defaults (src/PhoenixSlt.Cli/Commands/TrainCommand.cs).
    public const string DefaultPreset = "tiny";
    public const int DefaultEpochs = 30;
    public const int DefaultBatchSize = 8;
    public const int DefaultAccumulate = 1;
    public const double DefaultLrEncoder = 1e-4;
    public const string DefaultAmp = "none";
    public const string DefaultDevice = "cpu";
    public const int DefaultWorldSize = 1;
    public const int DefaultSeed = 42;
    public const int DefaultBeams = 5;
    public const int DefaultLogEvery = 10;

    /// A label for the run list; empty: "<phase> on <dataset>".
    public string? Name { get; set; }

    /// text, vlp, slt or pipeline (text → vlp → slt), see <see cref="RunPhases"/>.
    public string Phase { get; set; } = RunPhases.Slt;

    /// Dataset: the name of a folder under the data root (as the Datasets page lists them).
    public string Dataset { get; set; } = "";

    /// Model size when nothing pretrained decides it: tiny or base (--preset).
    public string Preset { get; set; } = DefaultPreset;

    /// Passes over the training split (--epochs); null: only <see cref="MaxSteps"/> limits the run.
    public int? Epochs { get; set; } = DefaultEpochs;

    /// Optimizer steps at most (--max-steps); null: no step limit.
    public long? MaxSteps { get; set; }

    /// Samples per micro-batch and process (--batch-size).
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// Micro-batches per optimizer step (--accumulate).
    public int Accumulate { get; set; } = DefaultAccumulate;

    /// Peak learning rate of the visual encoder (text phase: the mBART encoder) (--lr-encoder); null: 1e-4.
    public double? LrEncoder { get; set; }

    /// Peak learning rate of the mBART decoder (--lr-decoder); null: 5e-6 with pretrained mBART weights, else the
    /// encoder's.
    public double? LrDecoder { get; set; }

    /// Validations without improvement before stopping early (--patience); null: never stop early.
    public int? Patience { get; set; }

    /// MAX_FRAMES (--max-frames); null: the mBART encoder's positions.
    public int? MaxFrames { get; set; }

    /// Mixed precision: none, bf16 or fp16 (--amp). float32 (none) is the right choice on CPUs.
    public string Amp { get; set; } = DefaultAmp;

    /// cpu, cuda or cuda:N (--device); with world size N on cuda:K the run uses cuda:K … cuda:K+N-1.
    public string Device { get; set; } = DefaultDevice;

    /// Data-parallel processes, one per device (--world-size).
    public int WorldSize { get; set; } = DefaultWorldSize;

    /// Threads loading batches ahead of the trainer (--loader-workers); null: min(2, cores - 1); 0: none.
    public int? LoaderWorkers { get; set; }

    /// Seed of initialisation, shuffling and dropout (--seed).
    public int Seed { get; set; } = DefaultSeed;

    /// Validate every this many steps (--eval-every); null: every epoch.
    public long? EvalEvery { get; set; }

    /// Also write the resumable last/ checkpoint every this many steps (--save-every); null: at each validation.
    public long? SaveEvery { get; set; }

    /// A progress point (step event) every this many steps (--log-every).
    public int LogEvery { get; set; } = DefaultLogEvery;

    /// Checkpoint folder to start from (--init); not used by the pipeline, which chains its own stages.
    public string? InitCheckpoint { get; set; }

    /// Pretrained mBART folder (Hugging Face layout) or text-phase checkpoint (--mbart); in the pipeline it is the
    /// starting point of the text stage.
    public string? MBartFolder { get; set; }

    /// Beams of the validation decoding, 1 = greedy (--beams).
    public int Beams { get; set; } = DefaultBeams;

    /// The run's display name: <see cref="Name"/>, or "<phase> on <dataset>".
    [JsonIgnore]
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? $"{RunPhases.Describe(Phase)} on {Dataset}" : Name.Trim();
}
