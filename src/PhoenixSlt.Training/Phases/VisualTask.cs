using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// What the visual phases (VLP, SLT) share: the feature datasets, the collator with MAX_FRAMES, the
/// length-bucketed batch plan, the prefetching loader (with the training-only augmentation of each sample, when
/// asked for), the tokenizer saved with every checkpoint and the recipe's extra files. A phase adds its loss, validation, metric goal, parameter groups and checkpoint metadata.
public abstract class VisualTask<TModel> : ITrainingTask where TModel : nn.Module
{
    private readonly BatchPlan _plan;
    private readonly EpochPrefetcher<PhoenixBatch> _loader;
    private readonly TrainingRecipe _recipe;
    private readonly JsonElement _config;

    protected VisualTask(TModel model, ISltTokenizer tokenizer, PhoenixFeatureDataset train, PhoenixFeatureDataset validation,
        int batchSize, int maxFrames, int seed, int? loaderWorkers, Device device, TrainingRecipe recipe, JsonElement config,
        AugmentationOptions? augmentation = null)
    {
        TypedModel = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        ArgumentNullException.ThrowIfNull(train);
        ValidationSplit = validation ?? throw new ArgumentNullException(nameof(validation));
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        _config = config;
        Collator = new Collator(new CollatorOptions(maxFrames));
        _plan = new BatchPlan(train.FrameCounts(), batchSize, seed);
        Augmentation = augmentation is null || augmentation.IsIdentity ? null : new TrainingAugmentation(augmentation, seed);
        _loader = LoaderSettings.Create(train, Collator, loaderWorkers, Augmentation);
    }

    public abstract TrainingPhase Phase { get; }

    public nn.Module Model => TypedModel;

    public ISltTokenizer Tokenizer { get; }

    public Device Device { get; }

    public abstract MetricGoal Goal { get; }

    protected TModel TypedModel { get; }

    protected PhoenixFeatureDataset ValidationSplit { get; }

    protected Collator Collator { get; }

    /// The augmentation of the training samples (null: none); validation never augments.
    public TrainingAugmentation? Augmentation { get; }

    public JsonElement DescribeConfig() => _config;

    public abstract IReadOnlyList<ParameterGroup> ParameterGroups();

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize) => _loader.Plan(epoch, _plan.Batches(epoch, rank, worldSize));

    public Tensor Loss(int[] batch, int epoch)
    {
        using var loaded = _loader.Take(batch, epoch);
        return Loss(loaded.To(Device));
    }

    public abstract ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken);

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new CheckpointContent(Metadata(request), ModelWeights.ForSaving(TypedModel))
        {
            Tokenizer = Tokenizer,
            WriteExtraFiles = WriteExtraFiles,
        };
    }

    public void Dispose()
    {
        _loader.Dispose();
        TypedModel.Dispose();
        GC.SuppressFinalize(this);
    }

    /// Files written into each checkpoint folder besides the weights and the tokenizer: training.json.
    protected virtual void WriteExtraFiles(string folder) => _recipe.Save(folder);

    /// The mean loss of a collated micro-batch already on <see cref="Device"/> (with its autograd graph).
    protected abstract Tensor Loss(PhoenixBatch batch);

    /// checkpoint.json of the model as it is now.
    protected abstract CheckpointMetadata Metadata(CheckpointRequest request);
}
