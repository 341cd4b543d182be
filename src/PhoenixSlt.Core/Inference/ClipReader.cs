using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Inference;

/// Reads one clip to translate from its two feature files.
public static class ClipReader
{
    /// Reads a keypoint .npy ((T, 75, 3) or (T, 225)) and a SigLIP .npy ((T', 768)), validated and with the keypoints
    /// normalised as in training; the name defaults to the keypoint file's. <see cref="PhoenixDataException"/> names a
    /// bad file.
    public static FeatureSample Read(string keypointsPath, string siglipPath, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keypointsPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(siglipPath);
        foreach (var path in new[] { keypointsPath, siglipPath })
            if (!File.Exists(path))
                throw new PhoenixDataException(path, "file not found; give a .npy file");
        var keypoints = KeypointNormalizer.Normalize(FeatureStore.LoadFile(FeatureKind.Keypoints, keypointsPath)).ToArray();
        var siglip = FeatureStore.LoadFile(FeatureKind.Siglip, siglipPath);
        return new FeatureSample(name ?? Path.GetFileNameWithoutExtension(keypointsPath), "", keypoints, siglip);
    }
}
