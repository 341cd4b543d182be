using PhoenixSlt.Core.Data;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// The two visual streams of a batch in the layout of <see cref="Squeezeformer.SqueezeformerFusionEncoder"/>.
/// <param name="Keypoints">(B, T, 225) float.</param>
/// <param name="KeypointMask">(B, T) bool, true on real frames.</param>
/// <param name="Siglip">(B, T', 768) float.</param>
/// <param name="SiglipMask">(B, T') bool, true on real frames.</param>
public sealed record VisualInputs(Tensor Keypoints, Tensor KeypointMask, Tensor Siglip, Tensor SiglipMask)
{
    /// Number of clips (B).
    public long BatchSize => Keypoints.shape[0];

    /// The streams of a collated batch (the tensors are shared with <paramref name="batch"/>, not copied).
    public static VisualInputs From(PhoenixBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new VisualInputs(batch.Keypoints, batch.KeypointMask, batch.Siglip, batch.SiglipMask);
    }
}
