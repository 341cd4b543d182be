namespace PhoenixSlt.Core.Data;

/// The features of one sample, ready for collation.
/// <param name="Keypoints">(T, 225) — usually normalised by <see cref="KeypointNormalizer"/></param>
/// <param name="Siglip">(T', 768) SigLIP frame embeddings</param>
/// <param name="Orth">The clip's glosses (space-separated), "" when unknown</param>
public sealed record FeatureSample(string Name, string Translation, NpyArray Keypoints, NpyArray Siglip, string Orth = "")
{
    public int KeypointFrames => Keypoints.Shape[0];
    public int SiglipFrames => Siglip.Shape[0];
}
