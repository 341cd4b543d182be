using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Additive attention masks as transformers builds them: 0 where attention is allowed and the dtype's most
/// negative finite value (float32: -3.4028235e38, not -inf) where it is not.
public static class MBartMasks
{
    /// Padding mask (B, S) with 1 = real token, 0 = padding → additive (B, 1, 1, S), broadcast over queries.
    public static Tensor Padding(Tensor attentionMask, ScalarType dtype)
    {
        if (attentionMask.dim() != 2)
            throw new ArgumentException($"attention mask must be (batch, length), got [{string.Join(", ", attentionMask.shape)}]", nameof(attentionMask));
        using var scope = NewDisposeScope();
        var masked = attentionMask.eq(0).unsqueeze(1).unsqueeze(1); // (B,S) -> (B,1,1,S)
        return zeros(masked.shape, dtype, attentionMask.device)
            .masked_fill(masked, finfo(dtype).min)
            .MoveToOuterDisposeScope();
    }

    /// Decoder self-attention mask for <paramref name="length"/> new positions after <paramref name="pastLength"/>
    /// cached ones: query i (absolute position past + i) may see keys 0 … past + i. With a decoder padding mask
    /// (B, past + length), padded keys are masked too. Returns (1 or B, 1, length, past + length), or null when
    /// nothing is masked (a single new position without padding), as transformers does.
    public static Tensor? Causal(long length, long pastLength, ScalarType dtype, Device device, Tensor? decoderAttentionMask = null)
    {
        if (length == 1 && decoderAttentionMask is null)
            return null;
        using var scope = NewDisposeScope();
        long total = pastLength + length;
        var queries = arange(pastLength, total, dtype: ScalarType.Int64, device: device).unsqueeze(1); // (T,1) absolute positions
        var keys = arange(0, total, dtype: ScalarType.Int64, device: device).unsqueeze(0); // (1,S)
        var masked = keys.gt(queries).unsqueeze(0).unsqueeze(0); // (T,S) -> (1,1,T,S)
        if (decoderAttentionMask is not null)
        {
            if (decoderAttentionMask.dim() != 2 || decoderAttentionMask.shape[1] != total)
                throw new ArgumentException($"decoder attention mask must be (batch, {total}) = past + new positions, got [{string.Join(", ", decoderAttentionMask.shape)}]", nameof(decoderAttentionMask));
            masked = masked.logical_or(decoderAttentionMask.eq(0).unsqueeze(1).unsqueeze(1)); // (1,1,T,S) | (B,1,1,S) -> (B,1,T,S)
        }
        return zeros(masked.shape, dtype, device)
            .masked_fill(masked, finfo(dtype).min)
            .MoveToOuterDisposeScope();
    }
}
