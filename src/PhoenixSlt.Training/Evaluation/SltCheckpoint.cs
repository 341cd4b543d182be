using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Evaluation;

/// A sign-translation checkpoint loaded for evaluation or translation: the model (eval mode, on the device), its
/// tokenizer and the limits it was trained with. Dispose to free the model.
public sealed class SltCheckpoint : IDisposable
{
    private SltCheckpoint(string folder, CheckpointMetadata metadata, SignTranslationModel model, ISltTokenizer tokenizer, TrainingRecipe? recipe)
    {
        Folder = folder;
        Metadata = metadata;
        Model = model;
        Tokenizer = tokenizer;
        Recipe = recipe;
    }

    public string Folder { get; }
    public CheckpointMetadata Metadata { get; }
    public SignTranslationModel Model { get; }
    public ISltTokenizer Tokenizer { get; }
    public TrainingRecipe? Recipe { get; }

    /// The frame cap of training, else the mBART encoder's positions (the longest input it can take).
    public int MaxFrames => Math.Min(Recipe?.MaxFrames ?? int.MaxValue, Model.Config.MBart.MaxPositionEmbeddings);

    /// The translation length of training's validation, else 64 tokens (within the decoder's positions).
    public int MaxNewTokens => Math.Min(Recipe?.MaxNewTokens ?? 64, Model.MaxDecoderPositions - 1);

    /// A collator with <see cref="MaxFrames"/>.
    public Collator Collator() => new(new CollatorOptions(MaxFrames));

    /// Loads <paramref name="folder"/>. <see cref="CheckpointFormatException"/> when it is not an SLT checkpoint or
    /// its files are unusable; <see cref="PhoenixDataException"/> for a missing tokenizer.
    public static SltCheckpoint Load(string folder, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var metadata = CheckpointMetadata.Load(folder);
        if (metadata.Phase != CheckpointPhase.Slt)
            throw new CheckpointFormatException(folder,
                $"this is a {metadata.Phase.ToString().ToLowerInvariant()} checkpoint; translating needs an slt checkpoint (written by `phoenix-slt train slt`)");
        var config = metadata.ReadModelConfig<SltModelConfig>();
        var tokenizer = CheckpointTokenizer.Load(folder);
        if (tokenizer.VocabSize > config.MBart.VocabSize)
            throw new CheckpointFormatException(folder, $"the tokenizer has {tokenizer.VocabSize} ids but the model only {config.MBart.VocabSize}; the folder mixes files of different runs");
        var recipe = TrainingRecipe.Load(folder);
        var model = new SignTranslationModel(config);
        try
        {
            ModelWeights.Load(model, folder);
            if (device is not null && device.type != DeviceType.CPU)
                model.to(device);
            model.eval();
            return new SltCheckpoint(folder, metadata, model, tokenizer, recipe);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// An evaluator over this checkpoint's model and tokenizer.
    public SltEvaluator Evaluator() => new(Model, Tokenizer, Collator(), Model.Device);

    /// Translates clips (features as a dataset sample holds them: normalised keypoints (T, 225), SigLIP (T', 768)).
    public IReadOnlyList<string> Translate(IReadOnlyList<FeatureSample> clips, int numBeams)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0)
            return [];
        var evaluator = Evaluator();
        using var scope = NewDisposeScope();
        using var batch = Collator().Collate(clips, Model.Device);
        return evaluator.Translate(batch, evaluator.GenerationConfig(numBeams, MaxNewTokens));
    }

    /// Reads one clip from a keypoint .npy ((T, 75, 3) or (T, 225)) and a SigLIP .npy ((T', 768)), validated and
    /// with the keypoints normalised as in training. <see cref="PhoenixDataException"/> names a bad file.
    public static FeatureSample ReadClip(string keypointsPath, string siglipPath, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keypointsPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(siglipPath);
        foreach (var path in new[] { keypointsPath, siglipPath })
            if (!File.Exists(path))
                throw new PhoenixDataException(path, "file not found; give a .npy file");
        var keypoints = KeypointNormalizer.Normalize(FeatureStore.LoadFile(FeatureKind.Keypoints, keypointsPath)).ToArray();
        var siglip = FeatureStore.LoadFile(FeatureKind.Siglip, siglipPath);
        return new FeatureSample(name ?? Path.GetFileNameWithoutExtension(keypointsPath), "", keypoints, siglip);
    }

    public void Dispose() => Model.Dispose();
}
