using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// Settings of the VLP phase's data.
/// <param name="BatchSize">Clips per micro-batch (per rank); the other clips of the batch are the negatives.</param>
/// <param name="MaxFrames">MAX_FRAMES of the collator.</param>
/// <param name="MaxTextLength">Token cap of the translations.</param>
/// <param name="LoaderWorkers">Threads that load and collate training batches ahead of the trainer
/// (<see cref="PrefetchingLoader{T}"/>); 0 = load on the training thread; null = <see cref="LoaderSettings.DefaultWorkers"/>.</param>
/// <param name="Augmentation">Training-time augmentation of each sample (null or all strengths 0: none).</param>
/// <param name="TextFromGlosses">The text encoder embeds each clip's glosses instead of its translation (a text
/// encoder trained by a gloss2text text phase reads glosses).</param>
public sealed record VlpTaskOptions(int BatchSize, int MaxFrames, int MaxTextLength, int Seed = 42, int? LoaderWorkers = null,
    AugmentationOptions? Augmentation = null, bool TextFromGlosses = false);

/// Phase 1, visual-language pre-training: symmetric InfoNCE between the fusion encoder's clip embeddings and the
/// frozen text encoder's sentence embeddings (plus the gloss CTC loss of a model with a gloss head). Validation: the
/// mean loss over fixed (length-sorted) batches of the split, the in-batch retrieval accuracy in both directions and,
/// with a gloss head, gloss WER; best = lowest val_loss.
public sealed class VlpTask : VisualTask<VisualLanguagePretrainer>
{
    public const string VisualToTextTop1 = "v2t_top1";
    public const string TextToVisualTop1 = "t2v_top1";

    private readonly VlpTaskOptions _options;
    private readonly GlossVocabulary? _glosses;

    /// <paramref name="glosses"/>: the vocabulary of the model's gloss CTC head (null without one).
    public VlpTask(VisualLanguagePretrainer model, ISltTokenizer tokenizer, PhoenixFeatureDataset train, PhoenixFeatureDataset validation,
        VlpTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config, GlossVocabulary? glosses = null)
        : base(model, tokenizer, train, validation, (options ?? throw new ArgumentNullException(nameof(options))).BatchSize,
            options.MaxFrames, options.Seed, options.LoaderWorkers, device, recipe, config, options.Augmentation)
    {
        _options = options;
        _glosses = model.GlossHead is null ? null : glosses ?? throw new ArgumentException("a model with a gloss head needs its gloss vocabulary", nameof(glosses));
    }

    public override TrainingPhase Phase => TrainingPhase.Vlp;

    public VisualLanguagePretrainer Pretrainer => TypedModel;

    public override MetricGoal Goal { get; } = new(MetricNames.ValLoss, HigherIsBetter: false);

    /// One group, "encoder": the fusion encoder, both projection heads and the logit scale (the text encoder is frozen).
    public override IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = TypedModel.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        return [new ParameterGroup(SignTranslationModel.EncoderGroup, named.Select(p => p.name).ToList(), named.Select(p => p.parameter).ToList())];
    }

    public override ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken)
    {
        var mine = Enumerable.Range(0, ValidationSplit.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
        var batches = new LengthBucketBatchSampler(ValidationSplit.FrameCounts(), _options.BatchSize, shuffle: false).Batches(0, mine);
        double loss = 0, visualHits = 0, textHits = 0, samples = 0;
        var recognised = new List<Evaluation.SltEvaluator.IndexedTranslation>();
        progress?.Report(ValidationCount.OfShare(0, mine.Length, ValidationSplit.Count));
        foreach (int[] batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var collated = Collator.Collate(ValidationSplit.Get(batch), Device);
            var inputs = Inputs(collated);
            using var output = TypedModel.call(inputs);
            using var targets = arange(batch.Length, device: Device);
            loss += output.Loss.item<float>() * batch.Length;
            visualHits += output.LogitsPerVisual.argmax(1).eq(targets).sum().item<long>();
            textHits += output.LogitsPerVisual.argmax(0).eq(targets).sum().item<long>();
            samples += batch.Length;
            if (_glosses is not null && output.GlossLogProbs is not null)
            {
                var ids = GlossCtcHead.GreedyDecode(output.GlossLogProbs, output.GlossFrames!);       // the forward's head output: no second encoder pass
                recognised.AddRange(batch.Select((index, b) => new Evaluation.SltEvaluator.IndexedTranslation(index, _glosses.Decode(ids[b]))));
            }
            progress?.Report(ValidationCount.OfShare((int)samples, mine.Length, ValidationSplit.Count));
        }
        double Sum(double value) => group.WorldSize > 1 ? group.AllReduceScalar(value, cancellationToken: cancellationToken) : value;
        double total = Sum(samples);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.ValLoss] = Sum(loss) / total,
            [VisualToTextTop1] = 100 * Sum(visualHits) / total,
            [TextToVisualTop1] = 100 * Sum(textHits) / total,
        };
        if (_glosses is not null)
            metrics[MetricNames.GlossWer] = Evaluation.GlossRecognitionScore.Wer(recognised, ValidationSplit, group, cancellationToken);
        return new ValidationResult(metrics, []);
    }

    protected override Tensor Loss(PhoenixBatch batch) => TypedModel.call(Inputs(batch)).Loss;

    protected override void WriteExtraFiles(string folder)
    {
        base.WriteExtraFiles(folder);
        _glosses?.Save(folder);
    }

    protected override CheckpointMetadata Metadata(CheckpointRequest request) => request.Metadata(CheckpointPhase.Vlp, TypedModel.Config);

    private VlpInputs Inputs(PhoenixBatch batch)
        => VlpInputs.From(batch, Tokenizer, _options.MaxTextLength, _glosses, _options.TextFromGlosses);
}
