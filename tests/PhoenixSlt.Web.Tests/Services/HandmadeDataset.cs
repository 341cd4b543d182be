using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Tests.Services;

/// Writes a small dataset by hand (official CSV + float32 .npy files) so counts and frame lengths are known
/// by construction.
public static class HandmadeDataset
{
    public sealed record Item(string Name, int KeypointFrames, int SiglipFrames, string Speaker = "Signer01",
        string Orth = "MORGEN REGEN", string Translation = "morgen regnet es");

    public static void Write(string root, string split, IReadOnlyList<Item> items)
    {
        var layout = new DatasetLayout(root);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile(split),
            items.Select(i => new PhoenixSample(i.Name, i.Translation, i.Orth, i.Speaker, i.Name + "/1/*.png")));
        foreach (Item item in items)
        {
            if (item.KeypointFrames > 0)
                NpyFile.WriteFloat32(Path.Combine(layout.KeypointsDir, split, item.Name + ".npy"),
                    new float[item.KeypointFrames * FeatureSpec.KeypointDim], item.KeypointFrames, FeatureSpec.Joints, FeatureSpec.CoordsPerJoint);
            if (item.SiglipFrames > 0)
                NpyFile.WriteFloat32(Path.Combine(layout.SiglipDir, item.Name + ".npy"),
                    new float[item.SiglipFrames * FeatureSpec.SiglipDim], item.SiglipFrames, FeatureSpec.SiglipDim);
        }
    }

    /// train: 3 samples (frames 10, 20, 30), dev: 1, test: 1.
    public static string CreateComplete(string root)
    {
        Write(root, "train", [new("tr1", 10, 5), new("tr2", 20, 10), new("tr3", 30, 15, Speaker: "Signer05", Orth: "WIND STARK", Translation: "starker wind")]);
        Write(root, "dev", [new("dv1", 12, 6)]);
        Write(root, "test", [new("te1", 14, 7)]);
        return root;
    }
}
