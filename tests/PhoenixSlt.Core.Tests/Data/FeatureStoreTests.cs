using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class FeatureStoreTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FeatureStore _store;

    public FeatureStoreTests() => _store = new FeatureStore(new DatasetLayout(_dir.Path));

    public void Dispose() => _dir.Dispose();

    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => 0.001f * (i + 1)).ToArray();

    private string Write(string relative, float[] values, params int[] shape)
    {
        string path = _dir.File(relative.Split('/'));
        NpyFile.Write(path, new NpyArray(values, shape));
        return path;
    }

    [Fact]
    public void LoadKeypoints_FlatJointsLayout_ReturnsTBy225InSameOrder()
    {
        float[] values = Ramp(2 * 75 * 3);
        Write("kpts/s1.npy", values, 2, 75, 3);

        NpyArray keypoints = _store.LoadKeypoints("train", "s1");

        Assert.Equal([2, 225], keypoints.Shape);
        Assert.Equal(values, keypoints.Data);
    }

    [Fact]
    public void LoadKeypoints_UnderSplitFolder_Found()
    {
        Write("kpts/dev/s2.npy", Ramp(3 * 225), 3, 225);

        Assert.Equal([3, 225], _store.LoadKeypoints("dev", "s2").Shape);
        Assert.Equal(_dir.File("kpts", "dev", "s2.npy"), _store.FindFile(FeatureKind.Keypoints, "dev", "s2"));
    }

    [Fact]
    public void LoadKeypoints_NaNForMissingHand_Accepted()
    {
        float[] values = Ramp(225);
        values[FeatureSpec.LeftHandStart * 3] = float.NaN;
        Write("kpts/s.npy", values, 1, 225);

        Assert.True(float.IsNaN(_store.LoadKeypoints("train", "s").Data[FeatureSpec.LeftHandStart * 3]));
    }

    [Fact]
    public void LoadSiglip_Valid_ReturnsTBy768()
    {
        Write("siglip_vitb16/test/s.npy", Ramp(4 * 768), 4, 768);

        Assert.Equal([4, 768], _store.LoadSiglip("test", "s").Shape);
    }

    [Fact]
    public void Load_MissingFile_NamesBothExpectedPaths()
    {
        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadSiglip("dev", "gone"));

        string flat = _dir.File("siglip_vitb16", "gone.npy"), nested = _dir.File("siglip_vitb16", "dev", "gone.npy");
        Assert.Equal(flat, ex.FilePath);
        Assert.Equal($"no SigLIP features file for sample 'gone': expected {flat} or {nested}", ex.Problem);
    }

    [Theory]
    [InlineData(new[] { 2, 75 })]
    [InlineData(new[] { 2, 74, 3 })]
    [InlineData(new[] { 2, 224 })]
    [InlineData(new[] { 450 })]
    public void LoadKeypoints_WrongShape_NamesExpectedAndFoundShapes(int[] shape)
    {
        string path = Write("kpts/bad.npy", new float[shape.Aggregate(1, (a, d) => a * d)], shape);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadKeypoints("train", "bad"));

        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith("keypoints must have shape (T, 75, 3) or (T, 225)", ex.Problem);
        Assert.EndsWith($"found {NpyArray.FormatShape(shape)}", ex.Problem);
    }

    [Fact]
    public void LoadKeypoints_ZeroFrames_Rejected()
    {
        Write("kpts/empty.npy", [], 0, 225);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadKeypoints("train", "empty"));

        Assert.Equal("keypoints have 0 frames; every sample needs at least one frame", ex.Problem);
    }

    [Fact]
    public void LoadKeypoints_Infinity_Rejected()
    {
        float[] values = Ramp(2 * 225);
        values[225 + 4] = float.PositiveInfinity;
        Write("kpts/inf.npy", values, 2, 225);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadKeypoints("train", "inf"));

        Assert.StartsWith("keypoints contain an infinite value (frame 1, value 4)", ex.Problem);
    }

    [Fact]
    public void LoadSiglip_NaNAndInf_RejectedWithCountAndPosition()
    {
        float[] values = Ramp(3 * 768);
        values[768 + 10] = float.NaN;
        values[2 * 768] = float.NegativeInfinity;
        string path = Write("siglip_vitb16/nan.npy", values, 3, 768);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadSiglip("train", "nan"));

        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith("SigLIP features contain 2 NaN/Inf value(s), first at frame 1, dimension 10", ex.Problem);
    }

    [Theory]
    [InlineData(new[] { 3, 512 })]
    [InlineData(new[] { 3, 1, 768 })]
    public void LoadSiglip_WrongShape_Rejected(int[] shape)
    {
        Write("siglip_vitb16/w.npy", new float[shape.Aggregate(1, (a, d) => a * d)], shape);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadSiglip("train", "w"));

        Assert.Equal($"SigLIP features must have shape (T, 768); found {NpyArray.FormatShape(shape)}", ex.Problem);
    }

    [Fact]
    public void LoadSiglip_ZeroFrames_Rejected()
    {
        Write("siglip_vitb16/z.npy", [], 0, 768);

        var ex = Assert.Throws<PhoenixDataException>(() => _store.LoadSiglip("train", "z"));

        Assert.Contains("0 frames", ex.Problem);
    }

    [Theory]
    [InlineData(FeatureKind.Keypoints, new[] { 2, 74, 3 })]
    [InlineData(FeatureKind.Keypoints, new[] { 0, 225 })]
    [InlineData(FeatureKind.Siglip, new[] { 3, 512 })]
    [InlineData(FeatureKind.Siglip, new[] { 0, 768 })]
    public void LoadHeader_InvalidShape_SameProblemAsLoadFile(FeatureKind kind, int[] shape)
    {
        string path = Write("feature/w.npy", new float[shape.Aggregate(1, (a, d) => a * d)], shape);

        var full = Assert.Throws<PhoenixDataException>(() => FeatureStore.LoadFile(kind, path));
        var header = Assert.Throws<PhoenixDataException>(() => FeatureStore.LoadHeader(kind, path));

        Assert.Equal(path, header.FilePath);
        Assert.Equal(full.Problem, header.Problem);
        Assert.Equal(FeatureStore.ShapeProblem(kind, shape), header.Problem);
    }

    [Fact]
    public void LoadHeader_TruncatedFile_SameProblemAsLoadFile()
    {
        string path = Write("kpts/t.npy", Ramp(2 * 225), 2, 225);
        using (var fs = new FileStream(path, FileMode.Open))
            fs.SetLength(fs.Length - 4);

        var full = Assert.Throws<PhoenixDataException>(() => FeatureStore.LoadFile(FeatureKind.Keypoints, path));
        var header = Assert.Throws<PhoenixDataException>(() => FeatureStore.LoadHeader(FeatureKind.Keypoints, path));

        // 2 × 225 float32 values = 1800 bytes, 4 cut off
        Assert.Equal("truncated: shape (2, 225) of float32 needs 1800 data bytes but only 1796 follow the header", header.Problem);
        Assert.Equal(full.Problem, header.Problem);
    }

    [Fact]
    public void LoadHeader_NaNValues_NotReadSoAccepted()
    {
        float[] values = Ramp(3 * 768);
        values[5] = float.NaN;
        string path = Write("siglip_vitb16/nan.npy", values, 3, 768);

        NpyHeader header = FeatureStore.LoadHeader(FeatureKind.Siglip, path);

        Assert.Equal([3, 768], header.Shape);
        Assert.Throws<PhoenixDataException>(() => FeatureStore.LoadFile(FeatureKind.Siglip, path));
    }

    [Theory]
    [InlineData(FeatureKind.Keypoints, new[] { 1, 75, 3 })]
    [InlineData(FeatureKind.Keypoints, new[] { 4, 225 })]
    [InlineData(FeatureKind.Siglip, new[] { 1, 768 })]
    public void ShapeProblem_AcceptedShapes_Null(FeatureKind kind, int[] shape)
    {
        Assert.Null(FeatureStore.ShapeProblem(kind, shape));
    }

    [Fact]
    public void CandidatePaths_NameEscapingFolder_Rejected()
    {
        Assert.Throws<PhoenixDataException>(() => _store.CandidatePaths(FeatureKind.Keypoints, "train", "../x"));
    }

    [Fact]
    public void FeatureSpec_JointCounts_AddUp()
    {
        Assert.Equal(75, FeatureSpec.Joints);
        Assert.Equal(225, FeatureSpec.KeypointDim);
        Assert.Equal(54, FeatureSpec.RightHandStart);
    }
}
