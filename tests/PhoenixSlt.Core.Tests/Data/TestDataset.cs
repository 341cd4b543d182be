using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

/// Writes tiny feature files into a dataset folder.
public static class TestDataset
{
    /// (frames, 225) keypoints: every joint present (shoulders apart) unless listed as a missing-hand frame,
    /// where the left hand is zeros or the right hand NaN.
    public static void Keypoints(string root, string relative, int frames, int[]? leftMissing = null, int[]? rightNaN = null)
    {
        float[] v = new float[frames * FeatureSpec.KeypointDim];
        for (int i = 0; i < v.Length; i++)
            v[i] = 0.1f + (i % 97) / 200f;
        foreach (int t in leftMissing ?? [])
            v.AsSpan((t * FeatureSpec.Joints + FeatureSpec.LeftHandStart) * 3, FeatureSpec.HandJoints * 3).Clear();
        foreach (int t in rightNaN ?? [])
            v.AsSpan((t * FeatureSpec.Joints + FeatureSpec.RightHandStart) * 3, FeatureSpec.HandJoints * 3).Fill(float.NaN);
        NpyFile.Write(Path.Combine(root, DatasetLayout.KeypointsFolder, relative), new NpyArray(v, [frames, FeatureSpec.Joints, 3]));
    }

    public static void Siglip(string root, string relative, int frames, bool withNaN = false)
    {
        float[] v = Enumerable.Range(0, frames * FeatureSpec.SiglipDim).Select(i => (i % 13) / 13f).ToArray();
        if (withNaN)
            v[^1] = float.NaN;
        NpyFile.Write(Path.Combine(root, DatasetLayout.SiglipFolder, relative), new NpyArray(v, [frames, FeatureSpec.SiglipDim]));
    }

    /// A complete, valid dataset: 2 train, 1 dev, 1 test samples.
    public static void Clean(string root)
    {
        var layout = new DatasetLayout(root);
        string[][] splits = [["train", "t1", "t2"], ["dev", "d1"], ["test", "e1"]];
        foreach (string[] split in splits)
        {
            PhoenixCorpus.WriteOfficial(layout.CorpusFile(split[0]), split[1..].Select(n => new PhoenixSample(n, $"satz {n}")));
            foreach (string name in split[1..])
            {
                Keypoints(root, $"{split[0]}/{name}.npy", 3);
                Siglip(root, $"{split[0]}/{name}.npy", 2);
            }
        }
    }
}
