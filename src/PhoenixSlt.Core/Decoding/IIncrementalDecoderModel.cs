using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// An encoder-decoder model that decodes step by step with a key/value cache: what a sequence generator
/// (greedy or beam search) needs. Callers put the model in eval mode and run under <c>torch.no_grad()</c>.
/// Typical loop: <c>enc = Encode(ids or embeds, mask)</c>; expand enc/mask to B·beams rows;
/// <c>cache = CreateCache()</c>; then repeatedly <c>logits = DecodeStep(lastTokens (N,1), enc, mask, cache)</c>,
/// pick tokens, <c>cache.Reorder(beamIndex)</c>.
public interface IIncrementalDecoderModel
{
    /// Size of the output distribution (logits' last dimension).
    int VocabSize { get; }

    int PadTokenId { get; }

    int EosTokenId { get; }

    int BosTokenId { get; }

    /// The model config's decoder start token, or null when generation must name one (mbart-large-cc25 starts
    /// with the target language code, e.g. de_DE).
    int? DecoderStartTokenId { get; }

    /// Token forced at the last allowed position (transformers' forced_eos_token_id), or null.
    int? ForcedEosTokenId { get; }

    /// Largest number of decoder positions (start token included) the model can embed.
    int MaxDecoderPositions { get; }

    /// Device of the model's weights; inputs must live there.
    Device Device { get; }

    /// Encoder output (B, S, D) from exactly one of <paramref name="inputIds"/> (B, S) int64 and
    /// <paramref name="inputsEmbeds"/> (B, S, D); <paramref name="attentionMask"/> (B, S): 1 = real, 0 = padding.
    Tensor Encode(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask);

    /// A new, empty cache for <see cref="DecodeStep"/>.
    IDecoderCache CreateCache();

    /// Logits (N, L, V) for <paramref name="decoderInputIds"/> (N, L) — usually L = 1, the last chosen tokens —
    /// continuing the positions already in <paramref name="cache"/>, which is extended in place.
    /// <paramref name="encoderHiddenStates"/>: (N, S, D); <paramref name="encoderAttentionMask"/>: (N, S) or null.
    Tensor DecodeStep(Tensor decoderInputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, IDecoderCache cache);
}

/// Key/value state of an incremental decoder. Owns its tensors (outside any dispose scope) until disposed.
public interface IDecoderCache : IDisposable
{
    /// Decoder positions already processed (0 before the first step).
    long Length { get; }

    /// Rows held (0 before the first step).
    long BatchSize { get; }

    /// Beam reordering: row i of the self-attention state becomes old row <paramref name="beamIndex"/>[i]
    /// ((N) int64 on the model's device). Cross-attention state is left as is, as transformers' _reorder_cache
    /// does, so every index must stay within the beams of the same source sentence.
    void Reorder(Tensor beamIndex);

    /// Keeps rows <paramref name="rowIndex"/> ((N) int64) of every state, cross-attention included: for dropping
    /// finished sentences or for indices that cross source sentences.
    void Select(Tensor rowIndex);
}
