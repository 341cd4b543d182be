using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// One sign-translation batch.
/// <param name="Labels">(B, L) int64 targets "text &lt;/s&gt; lang" right-padded with pad (as
/// <see cref="ISltTokenizer.EncodeBatch"/> builds them); null for inference.</param>
/// <param name="DecoderInputIds">(B, L) int64; null = transformers' shift_tokens_right(labels)
/// ("lang text &lt;/s&gt;").</param>
/// <param name="GlossTargets">(B, S) int64 gloss ids (<see cref="GlossVocabulary"/>), padded with the blank; with
/// <paramref name="GlossLengths"/> (B) int64 they add the gloss CTC loss of a model with a gloss head.</param>
public sealed record SltInputs(VisualInputs Visual, Tensor? Labels = null, Tensor? DecoderInputIds = null,
    Tensor? GlossTargets = null, Tensor? GlossLengths = null)
{
    /// <see cref="From(PhoenixBatch, ISltTokenizer, int?)"/> with the batch's glosses encoded by
    /// <paramref name="glosses"/> as CTC targets (none when null).
    public static SltInputs From(PhoenixBatch batch, ISltTokenizer tokenizer, int? maxLabelLength, GlossVocabulary? glosses)
    {
        var inputs = From(batch, tokenizer, maxLabelLength);
        if (glosses is null)
            return inputs;
        var (targets, lengths) = GlossCtcHead.Targets(batch.Glosses, glosses, batch.Keypoints.device);
        return inputs with { GlossTargets = targets, GlossLengths = lengths };
    }

    /// A collated batch with its translations encoded by <paramref name="tokenizer"/> as labels (on the batch's device).
    public static SltInputs From(PhoenixBatch batch, ISltTokenizer tokenizer, int? maxLabelLength = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var (ids, mask) = TokenTensors.From(tokenizer.EncodeBatch(batch.Translations, maxLength: maxLabelLength), batch.Keypoints.device);
        mask.Dispose();
        return new SltInputs(VisualInputs.From(batch), ids);
    }
}
