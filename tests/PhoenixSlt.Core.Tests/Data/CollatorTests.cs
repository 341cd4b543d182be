using PhoenixSlt.Core.Data;
using TorchSharp;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class CollatorTests
{
    /// Frame t of sample s holds value 1000·s + t + 1 everywhere (never 0, so padding is recognisable).
    private static FeatureSample Sample(int s, int keypointFrames, int siglipFrames)
    {
        float[] Fill(int frames, int dim) => Enumerable.Range(0, frames * dim).Select(i => 1000f * s + i / dim + 1).ToArray();
        return new FeatureSample($"s{s}", $"text {s}",
            new NpyArray(Fill(keypointFrames, FeatureSpec.KeypointDim), [keypointFrames, FeatureSpec.KeypointDim]),
            new NpyArray(Fill(siglipFrames, FeatureSpec.SiglipDim), [siglipFrames, FeatureSpec.SiglipDim]));
    }

    private static float[] Values(torch.Tensor t) => t.data<float>().ToArray();
    private static bool[] Bools(torch.Tensor t) => t.data<bool>().ToArray();

    [Fact]
    public void Collate_TwoLengths_PadsAndMasks()
    {
        using PhoenixBatch batch = new Collator().Collate([Sample(0, 3, 2), Sample(1, 5, 4)]);

        Assert.Equal([2L, 5, 225], batch.Keypoints.shape);
        Assert.Equal([2L, 4, 768], batch.Siglip.shape);
        Assert.Equal(torch.ScalarType.Float32, batch.Keypoints.dtype);
        Assert.Equal(torch.ScalarType.Bool, batch.KeypointMask.dtype);
        Assert.Equal([true, true, true, false, false, true, true, true, true, true], Bools(batch.KeypointMask));
        Assert.Equal([true, true, false, false, true, true, true, true], Bools(batch.SiglipMask));
        Assert.Equal([3, 5], batch.KeypointLengths);
        Assert.Equal([2, 4], batch.SiglipLengths);
        Assert.Equal(["s0", "s1"], batch.Names);
        Assert.Equal(["text 0", "text 1"], batch.Translations);

        float[] k = Values(batch.Keypoints);
        Assert.Equal(3f, k[2 * 225 + 7]);             // sample 0, frame 2
        Assert.Equal(0f, k[3 * 225 + 7]);             // sample 0, padded frame 3
        Assert.Equal(1005f, k[(5 + 4) * 225 + 224]);  // sample 1, frame 4, last value
        float[] sg = Values(batch.Siglip);
        Assert.All(sg.AsSpan(2 * 768, 2 * 768).ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Collate_MaxFrames_SubsamplesEachStreamUniformly()
    {
        var collator = new Collator(new CollatorOptions(MaxFrames: 5, MaxSiglipFrames: 3));

        using PhoenixBatch batch = collator.Collate([Sample(0, 10, 7), Sample(1, 4, 2)]);

        Assert.Equal([2L, 5, 225], batch.Keypoints.shape);
        Assert.Equal([2L, 3, 768], batch.Siglip.shape);
        Assert.Equal([5, 4], batch.KeypointLengths);
        Assert.Equal([3, 2], batch.SiglipLengths);
        // keypoints frames kept: round(linspace(0, 9, 5)) = [0, 2, 4, 7, 9] -> values frame + 1
        float[] k = Values(batch.Keypoints);
        Assert.Equal([1f, 3, 5, 8, 10], Enumerable.Range(0, 5).Select(t => k[t * 225]));
        // SigLIP frames kept: round(linspace(0, 6, 3)) = [0, 3, 6]
        float[] sg = Values(batch.Siglip);
        Assert.Equal([1f, 4, 7], Enumerable.Range(0, 3).Select(t => sg[t * 768]));
    }

    [Fact]
    public void Collate_SiglipCapDefaultsToMaxFrames()
    {
        using PhoenixBatch batch = new Collator(new CollatorOptions(MaxFrames: 2)).Collate([Sample(0, 3, 6)]);

        Assert.Equal([1L, 2, 768], batch.Siglip.shape);
    }

    // expected values: numpy 1.24 np.round(np.linspace(0, T - 1, M)) (round half to even)
    [Theory]
    [InlineData(10, 4, new[] { 0, 3, 6, 9 })]
    [InlineData(10, 5, new[] { 0, 2, 4, 7, 9 })]
    [InlineData(100, 7, new[] { 0, 16, 33, 50, 66, 82, 99 })]
    [InlineData(5, 1, new[] { 0 })]
    [InlineData(3, 8, new[] { 0, 1, 2 })]
    public void SubsampleIndices_MatchesNumpyRoundLinspace(int length, int max, int[] expected)
    {
        Assert.Equal(expected, Collator.SubsampleIndices(length, max));
    }

    [Fact]
    public void SubsampleIndices_ManyLengths_StrictlyIncreasingAndKeepsEnds()
    {
        for (int length = 2; length < 60; length++)
            for (int max = 2; max < length; max++)
            {
                int[] idx = Collator.SubsampleIndices(length, max);
                Assert.Equal(max, idx.Length);
                Assert.Equal(0, idx[0]);
                Assert.Equal(length - 1, idx[^1]);
                Assert.True(idx.Zip(idx.Skip(1)).All(p => p.First < p.Second));
            }
    }

    [Fact]
    public void Dispose_ReleasesTensors()
    {
        PhoenixBatch batch = new Collator().Collate([Sample(0, 1, 1)]);

        batch.Dispose();

        Assert.True(batch.Keypoints.IsInvalid);
        Assert.True(batch.SiglipMask.IsInvalid);
    }

    [Fact]
    public void Collate_EmptyBatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Collator().Collate([]));
    }

    [Fact]
    public void Collator_NonPositiveCap_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Collator(new CollatorOptions(MaxFrames: 0)));
    }
}
