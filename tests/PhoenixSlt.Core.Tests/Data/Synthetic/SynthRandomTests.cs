using PhoenixSlt.Core.Data.Synthetic;

namespace PhoenixSlt.Core.Tests.Data.Synthetic;

public class SynthRandomTests
{
    [Fact]
    public void NextUInt64_SeedZeroAndFortyTwo_MatchesReferenceXoshiro256StarStar()
    {
        // Expected values: an independent Python transcription of the reference C code
        // (prng.di.unimi.it/xoshiro256starstar.c, state filled by splitmix64.c from the seed).
        var zero = new SynthRandom(0);
        Assert.Equal(0x99ec5f36cb75f2b4UL, zero.NextUInt64());
        Assert.Equal(0xbf6e1f784956452aUL, zero.NextUInt64());
        Assert.Equal(0x1a5f849d4933e6e0UL, zero.NextUInt64());
        var fortyTwo = new SynthRandom(42);
        Assert.Equal(0x15780b2e0c2ec716UL, fortyTwo.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, fortyTwo.NextUInt64());
        Assert.Equal(0xae17533239e499a1UL, fortyTwo.NextUInt64());
    }

    [Fact]
    public void SplitMix64_SeedZero_MatchesReferenceFirstOutput()
    {
        // splitmix64.c with x = 0: first next() is 0xe220a8397b1dcdaf.
        ulong state = 0;
        Assert.Equal(0xe220a8397b1dcdafUL, StableHash.SplitMix64(ref state));
    }

    [Fact]
    public void For_SameStreamAndParts_SameSequence_DifferentPartsDiffer()
    {
        var a = SynthRandom.For("sample", 42, 0, 17);
        var b = SynthRandom.For("sample", 42, 0, 17);
        var c = SynthRandom.For("sample", 42, 0, 18);
        var d = SynthRandom.For("motion", 42, 0, 17);
        ulong a1 = a.NextUInt64();
        Assert.Equal(a1, b.NextUInt64());
        Assert.NotEqual(a1, c.NextUInt64());
        Assert.NotEqual(a1, d.NextUInt64());
    }

    [Fact]
    public void NextGaussian_ManySamples_StandardNormalMoments()
    {
        var r = new SynthRandom(7);
        const int n = 200_000;
        double sum = 0, sumSq = 0, beyond2 = 0;
        for (int i = 0; i < n; i++)
        {
            double x = r.NextGaussian();
            sum += x;
            sumSq += x * x;
            if (Math.Abs(x) > 1.959964) beyond2++;
        }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        // P(|Z| > 1.959964) = 0.05 for a standard normal.
        Assert.InRange(beyond2 / n, 0.047, 0.053);
    }

    [Fact]
    public void FillGaussian_Sigma_ScalesSpread()
    {
        var r = new SynthRandom(9);
        var v = new float[100_003];
        r.FillGaussian(v, 0.5f);
        double sd = Math.Sqrt(v.Average(x => (double)x * x));
        Assert.InRange(sd, 0.49, 0.51);
    }

    [Fact]
    public void NextInt_Bound_StaysInRangeAndCoversIt()
    {
        var r = new SynthRandom(3);
        var seen = new int[7];
        for (int i = 0; i < 7_000; i++) seen[r.NextInt(7)]++;
        Assert.All(seen, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void PickWeighted_Weights_FrequenciesFollowThem()
    {
        var r = new SynthRandom(11);
        var counts = new int[3];
        for (int i = 0; i < 30_000; i++) counts[r.PickWeighted([1, 2, 7])]++;
        Assert.InRange(counts[0] / 30_000.0, 0.09, 0.11);
        Assert.InRange(counts[1] / 30_000.0, 0.18, 0.22);
        Assert.InRange(counts[2] / 30_000.0, 0.68, 0.72);
    }

    [Fact]
    public void UnitVector_AnyDimension_HasUnitLength()
    {
        var v = new SynthRandom(1).UnitVector(768);
        Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
    }

    [Fact]
    public void StableHash_Of_IsStableAndSensitive()
    {
        Assert.Equal(StableHash.Of("SONNE"), StableHash.Of("SONNE"));
        Assert.NotEqual(StableHash.Of("SONNE"), StableHash.Of("SONNE "));
        Assert.NotEqual(StableHash.Of("stream", 1, 2), StableHash.Of("stream", 2, 1));
    }
}
