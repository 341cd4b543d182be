using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class PhoenixFeatureDatasetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Get_CleanDataset_ReturnsNormalisedKeypointsAndSiglip()
    {
        TestDataset.Clean(_dir.Path);
        PhoenixFeatureDataset dataset = PhoenixFeatureDataset.Open(_dir.Path, "train");
        NpyArray raw = new FeatureStore(new DatasetLayout(_dir.Path)).LoadKeypoints("train", "t2");

        FeatureSample sample = dataset.Get(1);

        Assert.Equal("t2", sample.Name);
        Assert.Equal("satz t2", sample.Translation);
        Assert.Equal([3, FeatureSpec.KeypointDim], sample.Keypoints.Shape);
        Assert.Equal([2, FeatureSpec.SiglipDim], sample.Siglip.Shape);
        Assert.Equal(KeypointNormalizer.Normalize(raw).Values, sample.Keypoints.Data);
        Assert.NotEqual(raw.Data, sample.Keypoints.Data);
    }

    [Fact]
    public void FrameCounts_ReadsHeadersOfEveryStream()
    {
        TestDataset.Clean(_dir.Path);
        PhoenixFeatureDataset dataset = PhoenixFeatureDataset.Open(_dir.Path, "train", normalizeKeypoints: false);

        Assert.Equal([3, 3], dataset.FrameCounts(FeatureKind.Keypoints));
        Assert.Equal([2, 2], dataset.FrameCounts(FeatureKind.Siglip));
    }

    [Fact]
    public void FrameCounts_MissingFile_Throws()
    {
        TestDataset.Clean(_dir.Path);
        File.Delete(_dir.File("kpts", "dev", "d1.npy"));
        PhoenixFeatureDataset dataset = PhoenixFeatureDataset.Open(_dir.Path, "dev");

        var ex = Assert.Throws<PhoenixDataException>(() => dataset.FrameCounts());

        Assert.StartsWith("no keypoints file for sample 'd1'", ex.Problem);
    }
}
