using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Inference;

/// A sign-translation checkpoint loaded for evaluation or translation: the model (eval mode, on the device), its
/// tokenizer and the limits it was trained with (training.json). The entry point of inference: `phoenix-slt
/// translate` and `evaluate` and the portal load checkpoints through it. Dispose to free the model.
public sealed class SltCheckpoint : IDisposable
{
    private SltCheckpoint(string folder, CheckpointMetadata metadata, SignTranslationModel model, ISltTokenizer tokenizer, TrainingRecipe? recipe,
        GlossVocabulary? glosses)
    {
        Folder = folder;
        Metadata = metadata;
        Model = model;
        Tokenizer = tokenizer;
        Recipe = recipe;
        Limits = SltDecodingLimits.From(recipe, model.Config.MBart);
        Translator = new SltTranslator(model, tokenizer, glosses);
    }

    public string Folder { get; }
    public CheckpointMetadata Metadata { get; }
    public SignTranslationModel Model { get; }
    public ISltTokenizer Tokenizer { get; }
    public TrainingRecipe? Recipe { get; }
    public SltDecodingLimits Limits { get; }

    /// Decodes batches with this checkpoint's model and tokenizer.
    public SltTranslator Translator { get; }

    /// <see cref="SltDecodingLimits.MaxFrames"/>.
    public int MaxFrames => Limits.MaxFrames;

    /// <see cref="SltDecodingLimits.MaxNewTokens"/>.
    public int MaxNewTokens => Limits.MaxNewTokens;

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
        var glosses = GlossVocabulary.Load(folder);
        if (glosses is not null && glosses.Size != config.GlossVocabSize)
            throw new CheckpointFormatException(folder, $"{GlossVocabulary.FileName} has {glosses.Size} classes but the model's gloss head {config.GlossVocabSize}; the folder mixes files of different runs");
        var model = new SignTranslationModel(config);
        try
        {
            ModelWeights.Load(model, folder);
            if (device is not null && device.type != DeviceType.CPU)
                model.to(device);
            model.eval();
            return new SltCheckpoint(folder, metadata, model, tokenizer, recipe, glosses);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// Translates clips (features as a dataset sample holds them: normalised keypoints (T, 225), SigLIP (T', 768);
    /// see <see cref="ClipReader"/>), padded into one batch by <see cref="Collator"/>; one string per clip, in order.
    public IReadOnlyList<string> Translate(IReadOnlyList<FeatureSample> clips, int numBeams)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0)
            return [];
        using var scope = NewDisposeScope();
        using var batch = Collator().Collate(clips, Model.Device);
        return Translate(batch, numBeams);
    }

    /// The glosses the checkpoint's gloss head recognises in each clip (space-separated), or null when it has none.
    public IReadOnlyList<string>? RecognizeGlosses(IReadOnlyList<FeatureSample> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (Translator.Glosses is null)
            return null;
        if (clips.Count == 0)
            return [];
        using var scope = NewDisposeScope();
        using var batch = Collator().Collate(clips, Model.Device);
        return Translator.RecognizeGlosses(batch);
    }

    /// Translates a batch collated by <see cref="Collator"/> with at most <see cref="MaxNewTokens"/> tokens per clip.
    public IReadOnlyList<string> Translate(PhoenixBatch batch, int numBeams) => Translator.Translate(batch, numBeams, MaxNewTokens);

    public void Dispose() => Model.Dispose();
}
