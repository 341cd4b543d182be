namespace PhoenixSlt.Core.Data;

/// The features of one sample, ready for collation.
/// <param name="Keypoints">(T, 225) — usually normalised by <see cref="KeypointNormalizer"/></param>
/// <param name="Siglip">(T', 768) SigLIP frame embeddings</param>
public sealed record FeatureSample(string Name, string Translation, NpyArray Keypoints, NpyArray Siglip)
{
    public int KeypointFrames => Keypoints.Shape[0];
    public int SiglipFrames => Siglip.Shape[0];
}
