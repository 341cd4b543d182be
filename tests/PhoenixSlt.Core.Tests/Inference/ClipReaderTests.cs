using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Tests.Data;

namespace PhoenixSlt.Core.Tests.Inference;

public sealed class ClipReaderTests
{
    [Fact]
    public void Read_DatasetClipFiles_EqualsTheDatasetsSample()
    {
        using var dir = new TempDir();
        TestDataset.Clean(dir.Path);
        TestDataset.Keypoints(dir.Path, "dev/d1.npy", frames: 6, leftMissing: [2], rightNaN: [4]);
        var store = new FeatureStore(new DatasetLayout(dir.Path));
        var expected = PhoenixFeatureDataset.Open(dir.Path, "dev").Get(0);

        var clip = ClipReader.Read(store.FindFile(FeatureKind.Keypoints, "dev", "d1")!, store.FindFile(FeatureKind.Siglip, "dev", "d1")!);

        Assert.Equal("d1", clip.Name);
        Assert.Equal(expected.Keypoints.Shape, clip.Keypoints.Shape);
        Assert.Equal(expected.Keypoints.Data, clip.Keypoints.Data);
        Assert.Equal(expected.Siglip.Shape, clip.Siglip.Shape);
        Assert.Equal(expected.Siglip.Data, clip.Siglip.Data);
    }

    [Fact]
    public void Read_GivenName_NamesTheClip()
    {
        using var dir = new TempDir();
        TestDataset.Clean(dir.Path);
        var store = new FeatureStore(new DatasetLayout(dir.Path));

        var clip = ClipReader.Read(store.FindFile(FeatureKind.Keypoints, "dev", "d1")!, store.FindFile(FeatureKind.Siglip, "dev", "d1")!, "upload");

        Assert.Equal("upload", clip.Name);
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        using var dir = new TempDir();
        TestDataset.Siglip(dir.Path, "a.npy", frames: 2);
        string missing = dir.File("missing.npy");

        var e = Assert.Throws<PhoenixDataException>(() => ClipReader.Read(missing, dir.File(DatasetLayout.SiglipFolder, "a.npy")));

        Assert.Contains(missing, e.Message);
        Assert.Contains("file not found", e.Message);
    }
}
