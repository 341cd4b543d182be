using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Tensors of a <see cref="TokenBatch"/>.
public static class TokenTensors
{
    /// Ids (B, S) int64 and attention mask (B, S) int64 (1 = real) on <paramref name="device"/> (CPU when null).
    public static (Tensor Ids, Tensor Mask) From(TokenBatch tokens, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.BatchSize == 0 || tokens.SequenceLength == 0)
            throw new ArgumentException("the token batch is empty; every translation needs at least the '</s> language' suffix", nameof(tokens));
        long[] shape = [tokens.BatchSize, tokens.SequenceLength];
        return (tensor(tokens.InputIds, shape, device: device), tensor(tokens.AttentionMask, shape, device: device));
    }
}
