using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// One visual-language pretraining batch: the visual streams and the tokenized text of each clip.
/// <param name="TextIds">(B, S) int64, "text &lt;/s&gt; lang" right-padded with pad (as <see cref="ISltTokenizer.EncodeBatch"/>).</param>
/// <param name="TextMask">(B, S), 1 on real tokens, 0 on padding.</param>
/// <param name="GlossTargets">(B, S') int64 gloss ids padded with the blank; with <paramref name="GlossLengths"/> (B)
/// they add the gloss CTC loss of a model with a gloss head.</param>
public sealed record VlpInputs(VisualInputs Visual, Tensor TextIds, Tensor TextMask, Tensor? GlossTargets = null, Tensor? GlossLengths = null)
{
    /// A collated batch with its text encoded by <paramref name="tokenizer"/> (tensors on the batch's device): the
    /// translations, or the glosses (lowercased) when <paramref name="textFromGlosses"/> — what a text encoder trained
    /// by a gloss2text text phase reads; with <paramref name="glosses"/> also the gloss CTC targets.
    public static VlpInputs From(PhoenixBatch batch, ISltTokenizer tokenizer, int? maxTextLength = null,
        GlossVocabulary? glosses = null, bool textFromGlosses = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var text = textFromGlosses ? batch.Glosses.Select(g => g.ToLowerInvariant()).ToList() : batch.Translations;
        var (ids, mask) = TokenTensors.From(tokenizer.EncodeBatch(text, maxLength: maxTextLength), batch.Keypoints.device);
        var inputs = new VlpInputs(VisualInputs.From(batch), ids, mask);
        if (glosses is null)
            return inputs;
        var (targets, lengths) = GlossCtcHead.Targets(batch.Glosses, glosses, batch.Keypoints.device);
        return inputs with { GlossTargets = targets, GlossLengths = lengths };
    }
}
