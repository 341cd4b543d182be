namespace PhoenixSlt.Core.Metrics;

/// <summary>One system compared with the baseline by approximate randomization.</summary>
/// <param name="Score">Corpus BLEU of the system on the whole test set.</param>
/// <param name="Difference">System BLEU minus baseline BLEU on the whole test set.</param>
/// <param name="PValue">Share of random swaps giving a difference larger than the observed one; &lt; 0.05 is significant.</param>
public sealed record ApproximateRandomizationComparison(double Score, double Difference, double PValue)
{
    public bool IsSignificant => PValue < PairedBootstrapComparison.SignificanceLevel;
}

/// <summary>Approximate randomization result: the baseline's BLEU and each system against it.</summary>
public sealed record ApproximateRandomizationResult(double BaselineScore, IReadOnlyList<ApproximateRandomizationComparison> Systems, int Trials, int Seed);

/// <summary>
/// Paired two-sided approximate randomization test for the BLEU difference of two systems (Riezler and Maxwell,
/// 2005), the way sacrebleu 2.6.0 computes <c>--paired-ar</c> (<c>sacrebleu/significance.py</c>,
/// <c>_paired_ar_test</c>):
/// <list type="number">
/// <item>per-segment sufficient statistics of both systems (<see cref="PairedBootstrap.SegmentStatistics"/>);</item>
/// <item>one table of <c>trials × segments</c> fair coin flips from a seeded RNG (default 10,000 trials, seed 12345 —
/// sacrebleu's <c>SACREBLEU_SEED</c> default), the same table for every system;</item>
/// <item>each trial builds two pseudo-systems: where the coin is heads, pseudo-system A takes the baseline's segment
/// statistics and B the system's; where tails, the other way round;</item>
/// <item>the test statistic is the absolute difference of corpus BLEU, |BLEU(A) − BLEU(B)| per trial and
/// |BLEU(baseline) − BLEU(system)| observed;</item>
/// <item>p = (#{trials with a statistic &gt; the observed one} + 1) / (trials + 1) (<c>_compute_p_value</c>, shared
/// with the paired bootstrap: <see cref="SignificancePValue.Of"/>).</item>
/// </list>
/// Differences from sacrebleu: the coin flips come from <see cref="Random"/> with the seed (<c>Next(2)</c> for each
/// segment of each trial, row by row), not numpy's PCG64 <c>integers(2, size=(trials, segments))</c>, so individual
/// p-values are not bit-identical (they estimate the same exact permutation p-value and are deterministic for a
/// seed). When both systems have identical statistics for every segment, every trial's difference is zero and
/// sacrebleu's formula yields 1/(trials+1); here p = 1 in that case, as in <see cref="PairedBootstrap"/>.
/// Statistics are summed as integers, so a trial that swaps nothing (or everything) reproduces the observed
/// difference exactly and is never counted.
/// </summary>
public static class ApproximateRandomization
{
    public const int DefaultTrials = 10_000;
    public const int DefaultSeed = PairedBootstrap.DefaultSeed;

    /// <summary>Values per segment: hypothesis length, reference length, then matches and totals for n = 1..4.</summary>
    private const int Width = 2 + 2 * BleuMetric.MaxNgramOrder;

    /// <summary>
    /// <paramref name="trials"/> rows of <paramref name="segments"/> fair coin flips (true = swap the segment);
    /// the same for the same seed.
    /// </summary>
    public static bool[][] SwapPatterns(int segments, int trials, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        var random = new Random(seed);
        var rows = new bool[trials][];
        for (int t = 0; t < trials; t++)
        {
            var row = new bool[segments];
            for (int i = 0; i < segments; i++)
                row[i] = random.Next(2) == 1;
            rows[t] = row;
        }
        return rows;
    }

    /// <summary>
    /// Compares each of <paramref name="systems"/> with <paramref name="baseline"/> (per-segment statistics of the
    /// same segments, in the same order).
    /// </summary>
    public static ApproximateRandomizationResult Compare(
        IReadOnlyList<BleuStatistics> baseline,
        IReadOnlyList<IReadOnlyList<BleuStatistics>> systems,
        BleuOptions? options = null,
        int trials = DefaultTrials,
        int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseline.Count);
        options ??= BleuOptions.CorpusDefaults;
        foreach (var system in systems)
            PairedBootstrap.CheckSameSegments(baseline, system, nameof(systems));
        bool[][] patterns = SwapPatterns(baseline.Count, trials, seed);
        double baselineScore = PairedBootstrap.CorpusBleu(baseline, options);
        var comparisons = new List<ApproximateRandomizationComparison>(systems.Count);
        foreach (var system in systems)
        {
            double score = PairedBootstrap.CorpusBleu(system, options);
            double p = PairedBootstrap.SameStatistics(baseline, system) ? 1.0 : PValue(baseline, system, patterns, options);
            comparisons.Add(new ApproximateRandomizationComparison(score, score - baselineScore, p));
        }
        return new ApproximateRandomizationResult(baselineScore, comparisons, trials, seed);
    }

    /// <summary>The AR p-value of one system against the baseline over the given swap patterns.</summary>
    public static double PValue(IReadOnlyList<BleuStatistics> baseline, IReadOnlyList<BleuStatistics> system, bool[][] patterns, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(options);
        PairedBootstrap.CheckSameSegments(baseline, system, nameof(system));
        double observed = Math.Abs(PairedBootstrap.CorpusBleu(baseline, options) - PairedBootstrap.CorpusBleu(system, options));
        return SignificancePValue.Of(TrialDifferences(baseline, system, patterns, options), observed);
    }

    /// <summary>
    /// |BLEU(A) − BLEU(B)| of each trial: A starts as the system and B as the baseline; a swapped segment moves the
    /// baseline's statistics into A and the system's into B (A += base − sys, B −= base − sys).
    /// </summary>
    public static double[] TrialDifferences(IReadOnlyList<BleuStatistics> baseline, IReadOnlyList<BleuStatistics> system, bool[][] patterns, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(options);
        PairedBootstrap.CheckSameSegments(baseline, system, nameof(system));
        int segments = baseline.Count;
        long[] systemTotals = Flatten(BleuStatistics.Sum(system));
        long[] baselineTotals = Flatten(BleuStatistics.Sum(baseline));
        // base − sys per segment; segments equal in both systems change nothing when swapped.
        var deltas = new long[segments][];
        for (int i = 0; i < segments; i++)
        {
            long[] b = Flatten(baseline[i]), s = Flatten(system[i]);
            var delta = new long[Width];
            bool any = false;
            for (int k = 0; k < Width; k++)
            {
                delta[k] = b[k] - s[k];
                any |= delta[k] != 0;
            }
            deltas[i] = any ? delta : [];
        }

        var differences = new double[patterns.Length];
        var a = new long[Width];
        var bSide = new long[Width];
        for (int t = 0; t < patterns.Length; t++)
        {
            bool[] row = patterns[t];
            if (row.Length != segments)
                throw new ArgumentException($"swap pattern {t} has {row.Length} entries for {segments} segments", nameof(patterns));
            Array.Copy(systemTotals, a, Width);
            Array.Copy(baselineTotals, bSide, Width);
            for (int i = 0; i < segments; i++)
            {
                long[] delta = deltas[i];
                if (!row[i] || delta.Length == 0)
                    continue;
                for (int k = 0; k < Width; k++)
                {
                    a[k] += delta[k];
                    bSide[k] -= delta[k];
                }
            }
            differences[t] = Math.Abs(Score(a, options) - Score(bSide, options));
        }
        return differences;
    }

    private static long[] Flatten(BleuStatistics s)
    {
        var values = new long[Width];
        values[0] = s.SysLen;
        values[1] = s.RefLen;
        for (int n = 0; n < BleuMetric.MaxNgramOrder; n++)
        {
            values[2 + n] = s.Correct[n];
            values[2 + BleuMetric.MaxNgramOrder + n] = s.Total[n];
        }
        return values;
    }

    private static double Score(long[] values, BleuOptions options) =>
        BleuMetric.ComputeScore(new BleuStatistics(
            checked((int)values[0]), checked((int)values[1]),
            values[2..(2 + BleuMetric.MaxNgramOrder)], values[(2 + BleuMetric.MaxNgramOrder)..]), options).Score;
}

/// <summary>
/// sacrebleu's <c>_compute_p_value</c> (after multeval's approximate randomization): the share of sampled statistics
/// strictly above the observed one, with one added above and below so that p is never 0.
/// </summary>
public static class SignificancePValue
{
    /// <summary>p = (#{s ∈ <paramref name="statistics"/> : s &gt; <paramref name="observed"/>} + 1) / (n + 1).</summary>
    public static double Of(IReadOnlyList<double> statistics, double observed)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(statistics.Count);
        int count = 0;
        foreach (double s in statistics)
        {
            if (s > observed)
                count++;
        }
        return (count + 1.0) / (statistics.Count + 1.0);
    }
}
