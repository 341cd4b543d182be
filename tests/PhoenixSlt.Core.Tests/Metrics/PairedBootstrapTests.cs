using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// Paired bootstrap (sacrebleu --paired-bs semantics): hand-computed steps and statistical properties. The RNG is
/// .NET's, not numpy's, so values of sacrebleu's own run are not expected here.
public sealed class PairedBootstrapTests
{
    private static readonly string[] Words =
    [
        "morgen", "regen", "im", "norden", "sonne", "wind", "aus", "westen", "am", "tag", "nacht", "grad",
        "schnee", "bergen", "wolken", "gewitter", "süden", "frisch", "mild", "kalt",
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

    [Fact]
    public void CorpusBleu_SummedSegmentStatistics_EqualsCorpusScoreExactly()
    {
        string[] refs = References();
        string[] hyps = Weak(refs);

        double summed = PairedBootstrap.CorpusBleu(PairedBootstrap.SegmentStatistics(hyps, refs), BleuOptions.CorpusDefaults);

        Assert.Equal(BleuMetric.CorpusScore(hyps, [refs]).Score, summed);
    }

    [Fact]
    public void Compare_IdenticalSystems_NoDifferenceAndPValueOne()
    {
        string[] refs = References();
        var stats = PairedBootstrap.SegmentStatistics(Weak(refs), refs);

        var result = PairedBootstrap.Compare(stats, [stats]);

        var comparison = Assert.Single(result.Systems);
        Assert.Equal(0.0, comparison.Difference);
        Assert.Equal(1.0, comparison.PValue);
        Assert.False(comparison.IsSignificant);
        Assert.Equal(result.Baseline, comparison.System);
    }

    [Fact]
    public void Compare_PerfectSystemAgainstWeak_SignificantWithMinimumPValue()
    {
        string[] refs = References();
        var weak = PairedBootstrap.SegmentStatistics(Weak(refs), refs);
        var perfect = PairedBootstrap.SegmentStatistics(refs, refs);

        var result = PairedBootstrap.Compare(weak, [perfect]);

        var comparison = Assert.Single(result.Systems);
        Assert.Equal(100.0, comparison.System.Score, 9);
        Assert.True(comparison.Difference > 30, $"difference {comparison.Difference}");
        Assert.True(comparison.IsSignificant);
        // No resample difference exceeds its mean by the whole observed gap: p = (0 + 1) / (1000 + 1).
        Assert.Equal(1.0 / 1001.0, comparison.PValue, 12);
    }

    [Fact]
    public void Compare_SameSeed_IdenticalResults()
    {
        string[] refs = References();
        var weak = PairedBootstrap.SegmentStatistics(Weak(refs), refs);
        var near = PairedBootstrap.SegmentStatistics(NearCopy(refs), refs);

        var first = PairedBootstrap.Compare(weak, [near], seed: 3);
        var second = PairedBootstrap.Compare(weak, [near], seed: 3);
        var other = PairedBootstrap.Compare(weak, [near], seed: 4);

        Assert.Equal(first.Baseline, second.Baseline);
        Assert.Equal(first.Systems[0], second.Systems[0]);
        Assert.NotEqual(first.Baseline.Mean, other.Baseline.Mean);
    }

    [Fact]
    public void Compare_Intervals_ContainObservedScores()
    {
        string[] refs = References();
        var weak = PairedBootstrap.SegmentStatistics(Weak(refs), refs);
        var near = PairedBootstrap.SegmentStatistics(NearCopy(refs), refs);

        var result = PairedBootstrap.Compare(weak, [near]);

        foreach (var interval in new[] { result.Baseline, result.Systems[0].System })
        {
            Assert.InRange(interval.Score, interval.Lower, interval.Upper);
            Assert.InRange(interval.Mean, interval.Lower, interval.Upper);
            Assert.Equal(0.5 * (interval.Upper - interval.Lower), interval.HalfWidth, 12);
            Assert.True(interval.HalfWidth > 0);
        }
        Assert.Equal(PairedBootstrap.DefaultResamples, result.Resamples);
        Assert.Equal(PairedBootstrap.DefaultSeed, result.Seed);
    }

    [Fact]
    public void Compare_DifferentSegmentCounts_Throws()
    {
        string[] refs = References();
        var stats = PairedBootstrap.SegmentStatistics(refs, refs);

        var e = Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare(stats, [stats.Take(10).ToArray()]));

        Assert.Contains("same test set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EstimateInterval_FortyScores_UsesSecondAndSecondToLastSorted()
    {
        // n = 40: lower index 40 // 40 = 1, upper index 40 - 1 - 1 = 38 (sacrebleu's estimate_ci).
        double[] scores = [.. Enumerable.Range(1, 40).Select(i => (double)i).Reverse()];

        var interval = PairedBootstrap.EstimateInterval(20, scores);

        Assert.Equal(2.0, interval.Lower);
        Assert.Equal(39.0, interval.Upper);
        Assert.Equal(18.5, interval.HalfWidth);
        Assert.Equal(20.5, interval.Mean);
    }

    [Fact]
    public void PValue_HandComputed_CountsCentredDifferencesAboveObserved()
    {
        // |diff| = 1, 2, 3, mean 2 → centred -1, 0, 1; only 1 > 0.5 → p = (1 + 1) / (3 + 1).
        double p = PairedBootstrap.PValue([0, 0, 0], [1, -2, 3], 0.5);

        Assert.Equal(0.5, p);
    }

    [Fact]
    public void ResampleIndices_AllInRangeAndCoverTheSegments()
    {
        int[][] rows = PairedBootstrap.ResampleIndices(50, 200, PairedBootstrap.DefaultSeed);

        Assert.Equal(200, rows.Length);
        Assert.All(rows, row => Assert.Equal(50, row.Length));
        Assert.All(rows.SelectMany(r => r), i => Assert.InRange(i, 0, 49));
        Assert.Equal(50, rows.SelectMany(r => r).Distinct().Count());
        // Drawn with replacement: a row of 50 draws from 50 repeats an index with probability 1 - 50!/50^50 ≈ 1.
        Assert.Contains(rows, row => row.Distinct().Count() < row.Length);
    }
}
