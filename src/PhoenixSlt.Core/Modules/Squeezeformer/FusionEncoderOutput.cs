using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// What the <see cref="SqueezeformerFusionEncoder"/> returns: the fused hidden states on the keypoint time axis and
/// that axis's mask. Dispose it (or let an enclosing dispose scope do so) to free both tensors.
/// <param name="Hidden">(B, T, D); 0 on padded frames.</param>
/// <param name="Mask">(B, T) bool, true on real frames (the keypoint mask).</param>
public sealed record FusionEncoderOutput(Tensor Hidden, Tensor Mask) : IDisposable
{
    public void Dispose()
    {
        Hidden.Dispose();
        Mask.Dispose();
    }
}
