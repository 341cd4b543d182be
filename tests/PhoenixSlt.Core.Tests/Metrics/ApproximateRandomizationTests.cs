using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// Approximate randomization (sacrebleu --paired-ar semantics): the exact permutation test enumerated over every
/// swap pattern of a tiny test set, and properties that follow from the definition. The RNG is .NET's, not numpy's,
/// so values of sacrebleu's own run are not expected here.
public sealed class ApproximateRandomizationTests
{
    private static readonly string[] Words =
    [
        "morgen", "regen", "im", "norden", "sonne", "wind", "aus", "westen", "am", "tag", "nacht", "grad",
        "schnee", "bergen", "wolken", "gewitter", "süden", "frisch", "mild", "kalt",
    ];

    // Four clips where each system is better on some of them: the exact p-value lies well inside (0, 1).
    private static readonly string[] TinyReferences =
    [
        "morgen regen im norden und wind",
        "sonne im süden am tag",
        "in der nacht frisch und kalt",
        "wolken und gewitter in den bergen",
    ];
    private static readonly string[] TinyBaseline =
    [
        "morgen regen im norden",
        "sonne am tag",
        "in der nacht frisch und kalt",
        "wolken in den bergen",
    ];
    private static readonly string[] TinySystem =
    [
        "morgen regen im norden und wind",
        "sonne im westen",
        "nacht kalt",
        "wolken und gewitter in den bergen",
    ];

    /// 60 references of 6–11 words from a fixed vocabulary (a deterministic stand-in for a dev split).
    private static string[] References()
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, 60).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(6, 12)).Select(_ => Words[random.Next(Words.Length)])))];
    }

    /// Keeps roughly the first third of each reference and replaces the rest with other words.
    private static string[] Weak(string[] references)
    {
        var random = new Random(11);
        return [.. references.Select(r =>
        {
            string[] tokens = r.Split(' ');
            return string.Join(' ', tokens.Select((t, i) => i < tokens.Length / 3 ? t : Words[random.Next(Words.Length)]));
        })];
    }

    /// Drops one word of every second reference: close to the references, different statistics.
    private static string[] NearCopy(string[] references) =>
        [.. references.Select((r, i) => i % 2 == 0 ? string.Join(' ', r.Split(' ').Skip(1)) : r)];

    /// |BLEU(A) − BLEU(B)| of one swap pattern, computed from the hypothesis strings with the corpus scorer:
    /// A takes the baseline's sentence where the pattern swaps and the system's elsewhere, B the opposite.
    private static double SwappedDifference(string[] references, string[] baseline, string[] system, bool[] swap)
    {
        string[] a = [.. swap.Select((s, i) => s ? baseline[i] : system[i])];
        string[] b = [.. swap.Select((s, i) => s ? system[i] : baseline[i])];
        return Math.Abs(BleuMetric.CorpusScore(a, [references]).Score - BleuMetric.CorpusScore(b, [references]).Score);
    }

    private static bool[][] AllPatterns(int segments) =>
        [.. Enumerable.Range(0, 1 << segments).Select(mask => Enumerable.Range(0, segments).Select(i => (mask >> i & 1) == 1).ToArray())];

    [Fact]
    public void TrialDifferences_EverySwapPattern_EqualsCorpusBleuOfTheSwappedHypotheses()
    {
        var baseline = PairedBootstrap.SegmentStatistics(TinyBaseline, TinyReferences);
        var system = PairedBootstrap.SegmentStatistics(TinySystem, TinyReferences);
        bool[][] patterns = AllPatterns(TinyReferences.Length);

        double[] differences = ApproximateRandomization.TrialDifferences(baseline, system, patterns, BleuOptions.CorpusDefaults);

        for (int t = 0; t < patterns.Length; t++)
            Assert.Equal(SwappedDifference(TinyReferences, TinyBaseline, TinySystem, patterns[t]), differences[t], 9);
    }

    [Fact]
    public void Compare_ManyTrialsOnFourClips_ApproachesTheExactPermutationPValue()
    {
        var baseline = PairedBootstrap.SegmentStatistics(TinyBaseline, TinyReferences);
        var system = PairedBootstrap.SegmentStatistics(TinySystem, TinyReferences);
        double observed = Math.Abs(BleuMetric.CorpusScore(TinySystem, [TinyReferences]).Score - BleuMetric.CorpusScore(TinyBaseline, [TinyReferences]).Score);
        // The exact test: every one of the 2^4 swap patterns is equally likely under the null hypothesis.
        bool[][] all = AllPatterns(TinyReferences.Length);
        double exact = all.Count(p => SwappedDifference(TinyReferences, TinyBaseline, TinySystem, p) > observed + 1e-9) / (double)all.Length;
        Assert.InRange(exact, 0.1, 0.9);

        const int trials = 40_000;
        var result = ApproximateRandomization.Compare(baseline, [system], trials: trials);

        // (c + 1)/(n + 1) estimates the exact share with standard error √(p(1 − p)/n) ≤ 0.0025: allow 4 of them.
        Assert.Equal(exact, result.Systems[0].PValue, 0.01);
    }

    [Fact]
    public void Compare_OneClip_EveryTrialEqualsObservedSoPIsOneOverTrialsPlusOne()
    {
        // With one segment a trial either keeps or exchanges the two systems: |A − B| is the observed difference
        // both times and is never counted (strictly greater), so p = (0 + 1)/(n + 1).
        string[] refs = ["morgen regen im norden"];
        var baseline = PairedBootstrap.SegmentStatistics(["regen im westen"], refs);
        var system = PairedBootstrap.SegmentStatistics(refs, refs);

        var result = ApproximateRandomization.Compare(baseline, [system], trials: 500);

        Assert.Equal(1.0 / 501, result.Systems[0].PValue, 12);
        Assert.Equal(100.0 - BleuMetric.CorpusScore(["regen im westen"], [refs]).Score, result.Systems[0].Difference, 9);
    }

    [Fact]
    public void Compare_IdenticalSystems_PValueOne()
    {
        string[] refs = References();
        var stats = PairedBootstrap.SegmentStatistics(Weak(refs), refs);

        var result = ApproximateRandomization.Compare(stats, [stats], trials: 200);

        var comparison = Assert.Single(result.Systems);
        Assert.Equal(0.0, comparison.Difference);
        Assert.Equal(1.0, comparison.PValue);
        Assert.False(comparison.IsSignificant);
    }

    [Fact]
    public void Compare_ClearlyBetterSystemOnSixtyClips_Significant()
    {
        string[] refs = References();
        var weak = PairedBootstrap.SegmentStatistics(Weak(refs), refs);
        var near = PairedBootstrap.SegmentStatistics(NearCopy(refs), refs);

        var result = ApproximateRandomization.Compare(weak, [near]);

        var comparison = Assert.Single(result.Systems);
        Assert.Equal(BleuMetric.CorpusScore(NearCopy(refs), [refs]).Score - BleuMetric.CorpusScore(Weak(refs), [refs]).Score, comparison.Difference, 9);
        Assert.True(comparison.Difference > 30, $"difference {comparison.Difference}");
        Assert.InRange(comparison.PValue, 1.0 / (ApproximateRandomization.DefaultTrials + 1), 0.05);
        Assert.True(comparison.IsSignificant);
        Assert.Equal((10_000, 12345), (result.Trials, result.Seed));
    }

    [Fact]
    public void Compare_SameSeedSameResult_SwappingBaselineAndSystemSamePValue()
    {
        var baseline = PairedBootstrap.SegmentStatistics(TinyBaseline, TinyReferences);
        var system = PairedBootstrap.SegmentStatistics(TinySystem, TinyReferences);

        var first = ApproximateRandomization.Compare(baseline, [system], trials: 300, seed: 3);
        var second = ApproximateRandomization.Compare(baseline, [system], trials: 300, seed: 3);
        var reversed = ApproximateRandomization.Compare(system, [baseline], trials: 300, seed: 3);

        Assert.Equal(first.Systems[0], second.Systems[0]);
        // |A − B| is symmetric and a swap pattern exchanges the roles exactly: the test does not depend on which
        // system is the baseline.
        Assert.Equal(first.Systems[0].PValue, reversed.Systems[0].PValue);
        Assert.Equal(-first.Systems[0].Difference, reversed.Systems[0].Difference, 12);
    }

    [Fact]
    public void SwapPatterns_SameSeedSame_OtherSeedDiffers_RoughlyHalfSwapped()
    {
        bool[][] a = ApproximateRandomization.SwapPatterns(50, 200, 12345);
        bool[][] b = ApproximateRandomization.SwapPatterns(50, 200, 12345);
        bool[][] c = ApproximateRandomization.SwapPatterns(50, 200, 12346);

        Assert.Equal(a, b);
        Assert.NotEqual(a.SelectMany(r => r), c.SelectMany(r => r));
        Assert.All(a, row => Assert.Equal(50, row.Length));
        // 10,000 fair coins: the share of heads is 0.5 ± 0.005 (one standard error); allow 6 of them.
        double share = a.SelectMany(r => r).Count(x => x) / 10_000.0;
        Assert.InRange(share, 0.47, 0.53);
    }

    [Fact]
    public void Compare_DifferentSegmentCounts_Throws()
    {
        var baseline = PairedBootstrap.SegmentStatistics(TinyBaseline, TinyReferences);

        var e = Assert.Throws<ArgumentException>(() => ApproximateRandomization.Compare(baseline, [baseline.Take(2).ToArray()], trials: 10));

        Assert.Contains("same test set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignificancePValue_HandComputed_CountsStrictlyGreater()
    {
        // 0.9 > 0.5; 0.5 is not: p = (1 + 1) / (3 + 1).
        Assert.Equal(0.5, SignificancePValue.Of([0.1, 0.5, 0.9], 0.5));
        Assert.Equal(1.0, SignificancePValue.Of([2.0, 3.0], 1.0));
        Assert.Equal(1.0 / 3, SignificancePValue.Of([2.0, 3.0], 3.0), 12);
    }
}
