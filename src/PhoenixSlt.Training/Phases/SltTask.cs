using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
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
public sealed record SltTaskOptions(int BatchSize, int MaxFrames, SltEvaluationOptions Evaluation, int Seed = 42, int? LoaderWorkers = null);

/// Phase 2, sign-language translation: label-smoothed cross-entropy of <see cref="SignTranslationModel"/>;
/// validation decodes the whole split with batched beam search and scores corpus BLEU (best = highest bleu4).
public sealed class SltTask : ITrainingTask
{
    private readonly SignTranslationModel _model;
    private readonly ISltTokenizer _tokenizer;
    private readonly PhoenixFeatureDataset _train;
    private readonly PhoenixFeatureDataset _validation;
    private readonly SltTaskOptions _options;
    private readonly Collator _collator;
    private readonly BatchPlan _plan;
    private readonly EpochPrefetcher<PhoenixBatch> _loader;
    private readonly SltEvaluator _evaluator;
    private readonly TrainingRecipe _recipe;
    private readonly JsonElement _config;

    public SltTask(SignTranslationModel model, ISltTokenizer tokenizer, PhoenixFeatureDataset train, PhoenixFeatureDataset validation,
        SltTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        _config = config;
        _collator = new Collator(new CollatorOptions(options.MaxFrames));
        _plan = new BatchPlan(train.FrameCounts(), options.BatchSize, options.Seed);
        _loader = LoaderSettings.Create(train, _collator, options.LoaderWorkers);
        _evaluator = new SltEvaluator(model, tokenizer, _collator, device);
    }

    public TrainingPhase Phase => TrainingPhase.Slt;

    public nn.Module Model => _model;

    public SignTranslationModel Translator => _model;

    public ISltTokenizer Tokenizer => _tokenizer;

    public Device Device { get; }

    public MetricGoal Goal { get; } = new(MetricNames.Bleu4, HigherIsBetter: true);

    public JsonElement DescribeConfig() => _config;

    public IReadOnlyList<ParameterGroup> ParameterGroups() => _model.ParameterGroups();

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize) => _loader.Plan(epoch, _plan.Batches(epoch, rank, worldSize));

    public Tensor Loss(int[] batch, int epoch)
    {
        using var loaded = _loader.Take(batch, epoch);
        var collated = loaded.To(Device);
        var inputs = SltInputs.From(collated, _tokenizer, _model.MaxDecoderPositions);
        return _model.call(inputs).Loss!;
    }

    public ValidationResult Validate(IProcessGroup group, CancellationToken cancellationToken)
    {
        var evaluation = _evaluator.Evaluate(_validation, _options.Evaluation, group, cancellationToken);
        return new ValidationResult(evaluation.Metrics, evaluation.Samples(_options.Evaluation.SamplesToShow));
    }

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = request.Metadata(CheckpointPhase.Slt, _model.Config);
        return new CheckpointContent(metadata, ModelWeights.ForSaving(_model))
        {
            Tokenizer = _tokenizer,
            WriteExtraFiles = _recipe.Save,
        };
    }

    public void Dispose()
    {
        _loader.Dispose();
        _model.Dispose();
    }
}
