using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Specs;

/// Every setting of a training run — the one place where a hyperparameter, its default (the initial value), its
/// help text and its limits (<see cref="SpecFieldAttribute"/>) live. `phoenix-slt train` generates its flags from
/// it (<c>--spec run.json</c> reads one, flags override), the portal's New-run form and POST /api/runs bind to it,
/// the portal writes it into the run folder and starts <c>train --spec</c>. JSON uses the snake_case names of the
/// properties (<see cref="RunSpecJson"/>); <see cref="RunSpecValidation.Validate"/> checks it.
/// Adding a hyperparameter: a property here (with its attribute) and the code that uses the value (docs/ARCHITECTURE.md).
public sealed record RunSpec
{
    public static IReadOnlyList<string> PhaseChoices => TrainingPhaseNames.RunKinds;
    public static IReadOnlyList<string> PresetChoices => ModelPresets.Names;
    public static IReadOnlyList<string> AmpChoices { get; } = ["none", "bf16", "fp16"];
    public static IReadOnlyList<string> BackendChoices { get; } = ["auto", "tcp", "nccl"];
    public static IReadOnlyList<string> TextTaskChoices => TextObjectives.Names;

    [SpecField("What to train: text (mBART pre-training: gloss → text translation or denoising, see text_task), vlp (visual-language pre-training), slt (translation) or pipeline (text → vlp → slt, each stage starting from the previous stage's best checkpoint).",
        Choices = nameof(PhaseChoices), IsArgument = true, Section = "What to train")]
    public string Phase { get; set; } = TrainingPhaseNames.Slt;

    [SpecField("A label for the run list.", EmptyMeans = "\"<phase> on <dataset>\"", MaxLength = 100, Section = "What to train")]
    public string? Name { get; set; }

    [SpecField("Dataset root (annotations/, kpts/, siglip_vitb16/); in the portal the name of a dataset under the data root.",
        HelpName = "DIR", Label = "Dataset", IsPath = true, Section = "What to train")]
    public string? Data { get; set; }

    [SpecField("Folder for the best/ and last/ checkpoints (a pipeline: one subfolder per stage); must not hold a run yet, unless resuming. The portal chooses it.",
        HelpName = "DIR", Label = "Output folder", IsPath = true)]
    public string? Out { get; set; }

    [SpecField("Model size when nothing pretrained decides it.", Choices = nameof(PresetChoices), Section = "What to train")]
    public string Preset { get; set; } = "tiny";

    [SpecField("Checkpoint to start from: text → text; text or vlp → vlp; vlp (fusion encoder) or slt → slt. Not used by the pipeline, which chains its own stages.",
        HelpName = "CKPT", Label = "Initialisation checkpoint", EmptyMeans = "fresh weights", IsPath = true, Section = "Start from")]
    public string? Init { get; set; }

    [SpecField("Pretrained mBART: a Hugging Face folder (config.json, model.safetensors, sentencepiece.bpe.model) or a text-phase checkpoint; its tokenizer is used. In the pipeline the starting point of the text stage.",
        HelpName = "DIR", Label = "Pretrained mBART folder", EmptyMeans = "mBART from scratch with a corpus vocabulary", IsPath = true, Section = "Start from")]
    public string? Mbart { get; set; }

    [SpecField("What the text phase teaches the mBART: gloss2text (translate the corpus' glosses, the orth column, into its sentences; the slt phase then drives that translator with the visual encoder) or denoise (reconstruct sentences with masked word spans, mBART's own pre-training).",
        Choices = nameof(TextTaskChoices), EmptyMeans = "gloss2text when the training clips have glosses, else denoise", Section = "Start from")]
    public string? TextTask { get; set; }

    /// Epochs of a run that gives neither epochs nor max_steps.
    public const int DefaultEpochs = 30;

    [SpecField("Passes over the training split.", HelpName = "E", EmptyMeans = "30 when max_steps is empty, else only max_steps limits the run", Min = 1, Max = int.MaxValue, Section = "Budget and validation")]
    public int? Epochs { get; set; }

    /// The pipeline's text stage trains this many epochs per epoch of the visual stages when text_epochs is empty
    /// (3 seeds: 12 text epochs before 4-epoch visual stages gave +0.54 dev BLEU-4 over 4, docs/RESULTS.md).
    public const int TextEpochsPerEpoch = 3;

    [SpecField("Epochs of the pipeline's text stage (the text phase is cheap: a gloss2text decoder keeps improving for longer than the visual stages need).",
        HelpName = "E", EmptyMeans = "3 × epochs", Min = 1, Max = int.MaxValue, Section = "Budget and validation")]
    public int? TextEpochs { get; set; }

    [SpecField("Optimizer steps at most.", HelpName = "S", EmptyMeans = "no step limit", Min = 1, Section = "Budget and validation")]
    public long? MaxSteps { get; set; }

    /// Patience of a run that gives none: validations in a row without improvement before training stops.
    public const int DefaultPatience = 5;

    [SpecField("Stop after this many validations in a row without improvement of the phase's goal (BLEU-4 for slt and a gloss2text text phase, val loss for vlp and denoising); 0 = never stop early.",
        HelpName = "P", EmptyMeans = "5", Min = 0, Max = int.MaxValue, Section = "Budget and validation")]
    public int? Patience { get; set; }

    /// The patience the trainer uses: <see cref="Patience"/>, <see cref="DefaultPatience"/> when none is given, null
    /// (never stop early) for 0.
    public int? EffectivePatience => Patience switch { null => DefaultPatience, 0 => null, int p => p };

    [SpecField("Validate every this many optimizer steps.", HelpName = "STEPS", Label = "Eval every (steps)", EmptyMeans = "at the end of every epoch", Min = 1, Section = "Budget and validation")]
    public long? EvalEvery { get; set; }

    [SpecField("Also write the resumable last/ checkpoint every this many steps.", HelpName = "STEPS", Label = "Save every (steps)", EmptyMeans = "at each validation", Min = 1, Section = "Budget and validation")]
    public long? SaveEvery { get; set; }

    [SpecField("A progress point (step event) every this many steps.", HelpName = "N", Label = "Log every (steps)", Min = 1, Max = int.MaxValue, Section = "Budget and validation")]
    public int LogEvery { get; set; } = 10;

    [SpecField("Beams of the validation decoding (1 = greedy).", HelpName = "K", Min = 1, Max = 32, Section = "Budget and validation")]
    public int Beams { get; set; } = 5;

    [SpecField("Frames per clip at most: longer clips are subsampled uniformly; at most the mBART encoder's positions.", HelpName = "F", EmptyMeans = "the mBART encoder's positions", Min = 1, Max = 65_536, Section = "Budget and validation")]
    public int? MaxFrames { get; set; }

    [SpecField("Samples per micro-batch (per process).", HelpName = "B", Min = 1, Max = 4096, Section = "Optimisation")]
    public int BatchSize { get; set; } = 8;

    [SpecField("Micro-batches per optimizer step (gradient accumulation).", HelpName = "A", Min = 1, Max = 1024, Section = "Optimisation")]
    public int Accumulate { get; set; } = 1;

    [SpecField("Peak learning rate of the visual encoder, adapter and heads (text phase: the mBART encoder).", HelpName = "X", Label = "Learning rate: visual encoder",
        EmptyMeans = "the preset's: 2e-3 for tiny, 1e-3 for small, 1e-4 for base", Min = 0, MinExclusive = true, Max = 1, Section = "Optimisation")]
    public double? LrEncoder { get; set; }

    [SpecField("Peak learning rate of the mBART decoder (and the unfrozen mBART encoder in slt).", HelpName = "Y", Label = "Learning rate: mBART decoder",
        EmptyMeans = "5e-6 for pretrained mBART weights (mbart-large-cc25), the encoder's rate for a decoder from scratch or from a text-phase run of ours", Min = 0, MinExclusive = true, Max = 1, Section = "Optimisation")]
    public double? LrDecoder { get; set; }

    [SpecField("Linear warmup steps before the cosine decay.", HelpName = "N", EmptyMeans = "5 % of the run", Min = 0)]
    public long? WarmupSteps { get; set; }

    [SpecField("The learning rate at the end of the cosine decay, as a fraction of each group's peak rate.", HelpName = "X", Min = 0, Max = 1)]
    public double MinLrRatio { get; set; }

    [SpecField("AdamW weight decay of matrices and embeddings.", HelpName = "X", Min = 0, Max = 10)]
    public double WeightDecay { get; set; } = 0.01;

    [SpecField("Gradients are scaled so that their global L2 norm is at most this.", HelpName = "X", EmptyMeans = "no clipping", Min = 0, MinExclusive = true)]
    public double? MaxGradNorm { get; set; } = 1.0;

    [SpecField("Label smoothing of the slt and text losses.", HelpName = "X", EmptyMeans = "the preset's (0.1)", Min = 0, Max = 1, MaxExclusive = true)]
    public double? LabelSmoothing { get; set; }

    [SpecField("Dropout of the fusion encoder, adapter/heads and a scratch mBART.", HelpName = "X", EmptyMeans = "the preset's", Min = 0, Max = 1, MaxExclusive = true)]
    public double? Dropout { get; set; }

    /// gloss_ctc_weight of a run that gives none, on a corpus whose training clips have glosses.
    public const double DefaultGlossCtcWeight = 1.0;

    [SpecField("Weight of the gloss CTC loss on the fusion encoder in the vlp and slt phases (gloss supervision; needs the corpus' orth column, and reports gloss WER); 0 = gloss-free.",
        HelpName = "W", EmptyMeans = "1 when the training clips have glosses, else 0", Min = 0, Max = 100, Section = "Optimisation")]
    public double? GlossCtcWeight { get; set; }

    [SpecField("Training-time augmentation of the visual phases (vlp, slt) with the strengths below (0 turns a technique off); the text phase, validation and evaluation never augment.",
        Label = "Augment the training clips", Section = "Augmentation")]
    public bool Augment { get; set; }

    [SpecField("Largest rotation of the skeleton in the x–y plane around its centre, in degrees (the angle is uniform in ± this).", HelpName = "DEG", Label = "Rotation (degrees)", Min = 0, Max = 180, Section = "Augmentation")]
    public double AugRotation { get; set; } = 10;

    [SpecField("Largest change of the skeleton's size (a factor uniform in 1 ± X).", HelpName = "X", Label = "Scale", Min = 0, Max = 1, MaxExclusive = true, Section = "Augmentation")]
    public double AugScale { get; set; } = 0.1;

    [SpecField("Largest shift of the skeleton in x and in y, in shoulder widths (the unit of the normalised keypoints).", HelpName = "X", Label = "Shift", Min = 0, Max = 10, Section = "Augmentation")]
    public double AugShift { get; set; } = 0.1;

    [SpecField("Speed jitter: keypoints and SigLIP rows resampled together to r times the clip's length, r uniform in 1 ± X.", HelpName = "X", Label = "Speed jitter", Min = 0, Max = 1, MaxExclusive = true, Section = "Augmentation")]
    public double AugSpeed { get; set; } = 0.2;

    [SpecField("Probability of dropping each frame (the SigLIP rows follow; at least one frame stays).", HelpName = "P", Label = "Frame drop", Min = 0, Max = 1, MaxExclusive = true, Section = "Augmentation")]
    public double AugFrameDrop { get; set; } = 0.1;

    [SpecField("Probability, per clip and hand, of removing the whole hand from every frame (as if it were not tracked).", HelpName = "P", Label = "Hand drop", Min = 0, Max = 1, Section = "Augmentation")]
    public double AugHandDrop { get; set; } = 0.05;

    [SpecField("Seed of initialisation, shuffling, dropout and augmentation.", HelpName = "S", Section = "Optimisation")]
    public int Seed { get; set; } = 42;

    [SpecField("Mixed precision for GPUs: bf16 (autocast) or fp16 (autocast + dynamic loss scaling); none (float32) is the right choice on CPUs.",
        Label = "AMP", Choices = nameof(AmpChoices), Section = "Optimisation")]
    public string Amp { get; set; } = "none";

    [SpecField("cpu, cuda or cuda:N; with world size N on cuda:K the run uses cuda:K … cuda:K+N-1.", Section = "Hardware")]
    public string Device { get; set; } = "cpu";

    [SpecField("Data-parallel processes, one per device.", HelpName = "N", Min = 1, Max = 64, Section = "Hardware")]
    public int WorldSize { get; set; } = 1;

    [SpecField("Collective backend for world size > 1: auto (NCCL on CUDA, else TCP), tcp or nccl.", Choices = nameof(BackendChoices))]
    public string Backend { get; set; } = "auto";

    [SpecField("Threads loading training batches ahead of the trainer (0 = on the training thread).", HelpName = "N", EmptyMeans = "min(2, cores - 1)", Min = 0, Max = 64, Section = "Hardware")]
    public int? LoaderWorkers { get; set; }

    [SpecField("Intra-op CPU threads of each training process (libtorch's set_num_threads; workers also get OMP_NUM_THREADS and MKL_NUM_THREADS). Processes that share the cores run much faster with their share than all at the default.",
        HelpName = "N", Label = "CPU threads per process", EmptyMeans = "the CLI: libtorch's default (OMP_NUM_THREADS, else the cores); the portal: its thread budget (Phoenix:Training:ThreadsPerJob)",
        Min = 1, Max = ThreadBudget.MaxThreads, Section = "Hardware")]
    public int? Threads { get; set; }

    [SpecField("Clips decoded together during validation.", HelpName = "N", EmptyMeans = "the batch size", Min = 1, Max = 4096)]
    public int? EvalBatchSize { get; set; }

    [SpecField("Translations listed in each eval event.", HelpName = "N", Min = 0, Max = 100)]
    public int SamplesToShow { get; set; } = 3;

    [SpecField("The split trained on.", HelpName = "SPLIT")]
    public string TrainSplit { get; set; } = "train";

    [SpecField("The split validated on (never test while tuning).", HelpName = "SPLIT")]
    public string ValidationSplit { get; set; } = "dev";

    /// The epoch limit the run trains with: <see cref="Epochs"/>, or <see cref="DefaultEpochs"/> when neither epochs
    /// nor max_steps is given.
    public int? EffectiveEpochs => Epochs ?? (MaxSteps is null ? DefaultEpochs : null);

    /// The epoch limit of the pipeline's text stage: <see cref="TextEpochs"/>, or <see cref="TextEpochsPerEpoch"/> ×
    /// <see cref="EffectiveEpochs"/> (null when only max_steps limits the run).
    public int? EffectiveTextEpochs => TextEpochs ?? EffectiveEpochs * TextEpochsPerEpoch;

    /// The run's display name: <see cref="Name"/>, or "&lt;phase&gt; on &lt;dataset&gt;".
    public string DisplayName(string dataset)
        => string.IsNullOrWhiteSpace(Name) ? $"{TrainingPhaseNames.Describe(Phase)} on {dataset}" : Name.Trim();
}
