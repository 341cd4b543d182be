using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// Settings of the SLT phase's data and validation.
/// <param name="BatchSize">Clips per micro-batch (per rank).</param>
/// <param name="MaxFrames">MAX_FRAMES of the collator (at most the mBART encoder's positions).</param>
/// <param name="Evaluation">Decoding of the validation split.</param>
/// <param name="LoaderWorkers">Threads that load and collate training batches ahead of the trainer
/// (<see cref="PrefetchingLoader{T}"/>); 0 = load on the training thread; null = <see cref="LoaderSettings.DefaultWorkers"/>.</param>
/// <param name="Augmentation">Training-time augmentation of each sample (null or all strengths 0: none).</param>
public sealed record SltTaskOptions(int BatchSize, int MaxFrames, SltEvaluationOptions Evaluation, int Seed = 42, int? LoaderWorkers = null,
    AugmentationOptions? Augmentation = null);

/// Phase 2, sign-language translation: label-smoothed cross-entropy of <see cref="SignTranslationModel"/>;
/// validation decodes the whole split with batched beam search and scores corpus BLEU (best = highest bleu4).
public sealed class SltTask : VisualTask<SignTranslationModel>
{
    private readonly SltTaskOptions _options;
    private readonly SltEvaluator _evaluator;

    /// <paramref name="glosses"/>: the vocabulary of the model's gloss CTC head (null without one).
    public SltTask(SignTranslationModel model, ISltTokenizer tokenizer, PhoenixFeatureDataset train, PhoenixFeatureDataset validation,
        SltTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config, GlossVocabulary? glosses = null)
        : base(model, tokenizer, train, validation, (options ?? throw new ArgumentNullException(nameof(options))).BatchSize,
            options.MaxFrames, options.Seed, options.LoaderWorkers, device, recipe, config, options.Augmentation)
    {
        _options = options;
        _glosses = model.GlossHead is null ? null : glosses ?? throw new ArgumentException("a model with a gloss head needs its gloss vocabulary", nameof(glosses));
        _evaluator = new SltEvaluator(new SltTranslator(model, tokenizer, _glosses), Collator, device);
    }

    private readonly GlossVocabulary? _glosses;

    public override TrainingPhase Phase => TrainingPhase.Slt;

    public SignTranslationModel Translator => TypedModel;

    public override MetricGoal Goal { get; } = new(MetricNames.Bleu4, HigherIsBetter: true);

    public override IReadOnlyList<ParameterGroup> ParameterGroups() => TypedModel.ParameterGroups();

    public override ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken)
    {
        var evaluation = _evaluator.Evaluate(ValidationSplit, _options.Evaluation, group, cancellationToken, progress);
        return new ValidationResult(evaluation.Metrics, evaluation.Samples(_options.Evaluation.SamplesToShow));
    }

    protected override Tensor Loss(PhoenixBatch batch)
        => TypedModel.call(SltInputs.From(batch, Tokenizer, TypedModel.MaxDecoderPositions, _glosses)).Loss!;

    protected override void WriteExtraFiles(string folder)
    {
        base.WriteExtraFiles(folder);
        _glosses?.Save(folder);
    }

    protected override CheckpointMetadata Metadata(CheckpointRequest request) => request.Metadata(CheckpointPhase.Slt, TypedModel.Config);
}
