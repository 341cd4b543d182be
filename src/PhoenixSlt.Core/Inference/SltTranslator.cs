using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Inference;

/// Translates collated batches of clips with a sign-translation model: batched beam (or greedy) search of
/// <see cref="SignTranslationModel.Generate"/>, started by the tokenizer's target language code (mBART), each
/// sequence decoded to text. The one decoding path of `phoenix-slt translate` and `evaluate`, the trainer's
/// validation and the portal's translation service.
public sealed class SltTranslator
{
    /// <paramref name="glosses"/>: the gloss vocabulary of the model's gloss head (null when it has none).
    public SltTranslator(SignTranslationModel model, ISltTokenizer tokenizer, GlossVocabulary? glosses = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (glosses is not null && glosses.Size != model.Config.GlossVocabSize)
            throw new ArgumentException($"the gloss vocabulary has {glosses.Size} classes but the model's gloss head {model.Config.GlossVocabSize}", nameof(glosses));
        Glosses = model.GlossHead is null ? null : glosses;
    }

    public SignTranslationModel Model { get; }
    public ISltTokenizer Tokenizer { get; }

    /// The gloss vocabulary when the model recognises glosses, else null.
    public GlossVocabulary? Glosses { get; }

    /// The glosses recognised in each clip of a collated batch (space-separated), or null when the model has no
    /// gloss head (or no vocabulary to name its classes).
    public IReadOnlyList<string>? RecognizeGlosses(PhoenixBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Glosses is null)
            return null;
        using var scope = NewDisposeScope();
        return Model.RecognizeGlosses(VisualInputs.From(batch))!.Select(ids => Glosses.Decode(ids)).ToList();
    }

    /// Generation settings: the target language code starts decoding (mBART), forced EOS at the maximum length
    /// (<paramref name="maxNewTokens"/>, at most the decoder's positions less the start token). 1 beam = greedy search.
    public GenerationConfig GenerationConfig(int numBeams, int maxNewTokens)
        => Decoding.GenerationConfig.FromModel(Model) with
        {
            DecoderStartTokenId = Tokenizer.LanguageId(Tokenizer.DefaultLanguage),
            NumBeams = numBeams,
            MaxNewTokens = Math.Min(maxNewTokens, Model.MaxDecoderPositions - 1),
        };

    /// Translates a collated batch (keypoints (B, T, 225), SigLIP (B, T', 768) with their masks, on the model's
    /// device); one string per clip, in batch order. The model is in eval mode while decoding.
    public IReadOnlyList<string> Translate(PhoenixBatch batch, GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var output = Model.Generate(VisualInputs.From(batch), config);
        return output.Sequences.Select(s => Tokenizer.Decode(s.Select(id => (int)id))).ToList();
    }

    /// <see cref="Translate(PhoenixBatch, Decoding.GenerationConfig)"/> with <see cref="GenerationConfig(int, int)"/>.
    public IReadOnlyList<string> Translate(PhoenixBatch batch, int numBeams, int maxNewTokens)
        => Translate(batch, GenerationConfig(numBeams, maxNewTokens));
}
