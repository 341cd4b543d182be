using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
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
public sealed record VlpTaskOptions(int BatchSize, int MaxFrames, int MaxTextLength, int Seed = 42, int? LoaderWorkers = null);

/// Phase 1, visual-language pre-training: symmetric InfoNCE between the fusion encoder's clip embeddings and the
/// frozen text encoder's sentence embeddings. Validation: the mean contrastive loss over fixed (length-sorted)
/// batches of the split and the in-batch retrieval accuracy in both directions; best = lowest val_loss.
public sealed class VlpTask : ITrainingTask
{
    public const string VisualToTextTop1 = "v2t_top1";
    public const string TextToVisualTop1 = "t2v_top1";

    private readonly VisualLanguagePretrainer _model;
    private readonly ISltTokenizer _tokenizer;
    private readonly PhoenixFeatureDataset _train;
    private readonly PhoenixFeatureDataset _validation;
    private readonly VlpTaskOptions _options;
    private readonly Collator _collator;
    private readonly BatchPlan _plan;
    private readonly EpochPrefetcher<PhoenixBatch> _loader;
    private readonly TrainingRecipe _recipe;
    private readonly JsonElement _config;

    public VlpTask(VisualLanguagePretrainer model, ISltTokenizer tokenizer, PhoenixFeatureDataset train, PhoenixFeatureDataset validation,
        VlpTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config)
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
    }

    public TrainingPhase Phase => TrainingPhase.Vlp;

    public nn.Module Model => _model;

    public VisualLanguagePretrainer Pretrainer => _model;

    public Device Device { get; }

    public MetricGoal Goal { get; } = new(MetricNames.ValLoss, HigherIsBetter: false);

    public JsonElement DescribeConfig() => _config;

    /// One group, "encoder": the fusion encoder, both projection heads and the logit scale (the text encoder is frozen).
    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = _model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        return [new ParameterGroup(SignTranslationModel.EncoderGroup, named.Select(p => p.name).ToList(), named.Select(p => p.parameter).ToList())];
    }

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize) => _loader.Plan(epoch, _plan.Batches(epoch, rank, worldSize));

    public Tensor Loss(int[] batch, int epoch)
    {
        using var loaded = _loader.Take(batch, epoch);
        return _model.call(VlpInputs.From(loaded.To(Device), _tokenizer, _options.MaxTextLength)).Loss;
    }

    public ValidationResult Validate(IProcessGroup group, CancellationToken cancellationToken)
    {
        var mine = Enumerable.Range(0, _validation.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
        var batches = new LengthBucketBatchSampler(_validation.FrameCounts(), _options.BatchSize, shuffle: false).Batches(0, mine);
        double loss = 0, visualHits = 0, textHits = 0, samples = 0;
        foreach (int[] batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var output = _model.call(Inputs(_validation, batch));
            using var targets = arange(batch.Length, device: Device);
            loss += output.Loss.item<float>() * batch.Length;
            visualHits += output.LogitsPerVisual.argmax(1).eq(targets).sum().item<long>();
            textHits += output.LogitsPerVisual.argmax(0).eq(targets).sum().item<long>();
            samples += batch.Length;
        }
        double Sum(double value) => group.WorldSize > 1 ? group.AllReduceScalar(value, cancellationToken: cancellationToken) : value;
        double total = Sum(samples);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.ValLoss] = Sum(loss) / total,
            [VisualToTextTop1] = 100 * Sum(visualHits) / total,
            [TextToVisualTop1] = 100 * Sum(textHits) / total,
        };
        return new ValidationResult(metrics, []);
    }

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = request.Metadata(CheckpointPhase.Vlp, _model.Config);
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

    private VlpInputs Inputs(PhoenixFeatureDataset data, int[] batch)
        => VlpInputs.From(_collator.Collate(data.Get(batch), Device), _tokenizer, _options.MaxTextLength);
}
