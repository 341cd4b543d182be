using PhoenixSlt.Core.Decoding;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Per-layer self- and cross-attention keys/values of <see cref="MBartDecoder"/> for incremental decoding.
public sealed class MBartDecoderCache : IDecoderCache
{
    public MBartDecoderCache(int layers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        SelfAttention = Enumerable.Range(0, layers).Select(_ => new KeyValueCache()).ToArray();
        CrossAttention = Enumerable.Range(0, layers).Select(_ => new KeyValueCache()).ToArray();
    }

    public IReadOnlyList<KeyValueCache> SelfAttention { get; }

    public IReadOnlyList<KeyValueCache> CrossAttention { get; }

    public int LayerCount => SelfAttention.Count;

    public long Length => SelfAttention[0].Length;

    public long BatchSize => SelfAttention[0].BatchSize;

    public void Reorder(Tensor beamIndex)
    {
        foreach (var layer in SelfAttention)
            layer.IndexSelect(beamIndex);
    }

    public void Select(Tensor rowIndex)
    {
        foreach (var layer in SelfAttention.Concat(CrossAttention))
            layer.IndexSelect(rowIndex);
    }

    public void Dispose()
    {
        foreach (var layer in SelfAttention.Concat(CrossAttention))
            layer.Dispose();
    }
}
