namespace PhoenixSlt.Training.Phases;

/// Everything `phoenix-slt train` accepts (and the portal's worker passes on): which phase, where the data and the
/// output are, what to start from, and how to train.
public sealed record TrainRunOptions
{
    public required TrainingPhase Phase { get; init; }

    /// Dataset root (annotations/, kpts/, siglip_vitb16/).
    public required string DataDir { get; init; }

    /// Where the best/ and last/ checkpoint folders go.
    public required string OutDir { get; init; }

    /// Model size when nothing pretrained decides it: tiny or base.
    public string Preset { get; init; } = "tiny";

    /// A checkpoint to start from: text → text; text/mbart or vlp → vlp; vlp (fusion encoder) or slt → slt.
    public string? Init { get; init; }

    /// A Hugging Face mBART folder (config.json, model.safetensors, sentencepiece.bpe.model) or a text-phase
    /// checkpoint; its tokenizer is used.
    public string? MBart { get; init; }

    public int? Epochs { get; init; }
    public long? MaxSteps { get; init; }
    public int BatchSize { get; init; } = 8;
    public int Accumulate { get; init; } = 1;

    /// Peak learning rate of the visual encoder (fusion encoder, adapter, VLP heads) and of the text phase's
    /// mBART encoder. Default 1e-4.
    public double? LrEncoder { get; init; }

    /// Peak learning rate of the mBART decoder (and the unfrozen mBART encoder in slt). Default 5e-6 with
    /// pretrained mBART weights (the GFSLT-VLP recipe), else the encoder's rate (a scratch decoder must learn).
    public double? LrDecoder { get; init; }

    public double WeightDecay { get; init; } = 0.01;
    public double? MaxGradNorm { get; init; } = 1.0;
    public long? WarmupSteps { get; init; }

    /// Mixed precision: none, bf16 or fp16 (<see cref="Amp.AmpModes.Parse"/>).
    public string Amp { get; init; } = "none";

    /// cpu, cuda or cuda:N.
    public string Device { get; init; } = "cpu";

    public int Seed { get; init; } = 42;

    /// MAX_FRAMES; default and maximum: the mBART encoder's positions.
    public int? MaxFrames { get; init; }

    /// Validations without improvement before stopping; null = never stop early.
    public int? Patience { get; init; }

    /// Beams of the validation decoding (1 = greedy).
    public int Beams { get; init; } = 5;

    /// Validate every this many steps; null = every epoch.
    public long? EvalEverySteps { get; init; }

    public int LogEvery { get; init; } = 10;

    public string TrainSplit { get; init; } = "train";

    /// The split used for validation (dev; the overfit check validates on train).
    public string ValidationSplit { get; init; } = "dev";

    /// Label smoothing of the slt and text losses; null = the preset's.
    public double? LabelSmoothing { get; init; }

    /// Dropout of the fusion encoder, adapter/heads and a scratch mBART; null = the preset's.
    public double? Dropout { get; init; }

    /// Translations listed in each eval event.
    public int SamplesToShow { get; init; } = 3;

    /// Clips decoded together during validation; null = the training batch size.
    public int? EvalBatchSize { get; init; }

    /// Continue the run in <see cref="OutDir"/> from its last/ checkpoint (exact resume: same settings required).
    public bool Resume { get; init; }

    /// Also write last/ every this many steps; null = at each validation only.
    public long? SaveEverySteps { get; init; }

    /// Background threads loading training batches ahead of the trainer; 0 = on the training thread;
    /// null = <see cref="Data.LoaderSettings.DefaultWorkers"/>.
    public int? LoaderWorkers { get; init; }
}
