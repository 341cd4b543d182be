using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// One visual-language pretraining batch: the visual streams and the tokenized translations.
/// <param name="TextIds">(B, S) int64, "text &lt;/s&gt; lang" right-padded with pad (as <see cref="ISltTokenizer.EncodeBatch"/>).</param>
/// <param name="TextMask">(B, S), 1 on real tokens, 0 on padding.</param>
public sealed record VlpInputs(VisualInputs Visual, Tensor TextIds, Tensor TextMask)
{
    /// A collated batch with its translations encoded by <paramref name="tokenizer"/> (tensors on the batch's device).
    public static VlpInputs From(PhoenixBatch batch, ISltTokenizer tokenizer, int? maxTextLength = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var (ids, mask) = TokenTensors.From(tokenizer.EncodeBatch(batch.Translations, maxLength: maxTextLength), batch.Keypoints.device);
        return new VlpInputs(VisualInputs.From(batch), ids, mask);
    }
}
