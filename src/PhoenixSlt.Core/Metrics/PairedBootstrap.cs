namespace PhoenixSlt.Core.Metrics;

/// <summary>Mean and 95% confidence interval of a system's BLEU over bootstrap resamples.</summary>
/// <param name="Score">Corpus BLEU of the system on the whole test set.</param>
/// <param name="Mean">Mean BLEU over the resamples (sacrebleu's μ).</param>
/// <param name="HalfWidth">Half the width of the 95% interval (sacrebleu's "± 95% CI").</param>
/// <param name="Lower">2.5% resample score (index n/40 of the sorted scores).</param>
/// <param name="Upper">97.5% resample score (index n − n/40 − 1).</param>
public sealed record BootstrapInterval(double Score, double Mean, double HalfWidth, double Lower, double Upper);

/// <summary>One system compared with the baseline.</summary>
/// <param name="System">The system's score and interval (from the same resamples as the baseline's).</param>
/// <param name="Difference">System BLEU minus baseline BLEU on the whole test set.</param>
/// <param name="PValue">Probability of a difference this large by chance; &lt; 0.05 is significant.</param>
public sealed record PairedBootstrapComparison(BootstrapInterval System, double Difference, double PValue)
{
    public const double SignificanceLevel = 0.05;

    public bool IsSignificant => PValue < SignificanceLevel;
}

/// <summary>Paired bootstrap result: the baseline and each system against it.</summary>
public sealed record PairedBootstrapResult(BootstrapInterval Baseline, IReadOnlyList<PairedBootstrapComparison> Systems, int Resamples, int Seed);

/// <summary>
/// Paired bootstrap resampling for the BLEU difference of two or more systems (Koehn, EMNLP 2004), the way
/// sacrebleu 2.6.0 computes <c>--paired-bs</c> (<c>sacrebleu/significance.py</c>, <c>_paired_bs_test</c>):
/// <list type="number">
/// <item>per-segment sufficient statistics (hypothesis and reference length, clipped n-gram matches and totals);</item>
/// <item>one table of <c>resamples × segments</c> indices drawn with replacement from a seeded RNG, shared by
/// every system (default 1000 resamples, seed 12345 — sacrebleu's <c>SACREBLEU_SEED</c> default);</item>
/// <item>each resample's BLEU from its summed statistics;</item>
/// <item>mean and 95% interval from the sorted resample scores: lower = s[n/40], upper = s[n − n/40 − 1],
/// ± = (upper − lower)/2 (<c>estimate_ci</c>);</item>
/// <item>p-value: d_i = |sys_i − base_i| centred on its mean; p = (#{d_i − mean(d) &gt; |sys − base|} + 1)/(n + 1)
/// (<c>_compute_p_value</c>, <see cref="SignificancePValue.Of"/>).</item>
/// </list>
/// Differences from sacrebleu: the indices come from <see cref="Random"/> with the seed, not numpy's PCG64
/// generator, so individual p-values and intervals are not bit-identical (they are statistically equivalent and
/// deterministic for a seed). When both systems have identical statistics for every segment, every resample
/// difference is zero and sacrebleu's formula yields 1/(n+1) — a "significant" difference between a system
/// and itself; here p = 1 in that case.
/// </summary>
public static class PairedBootstrap
{
    public const int DefaultResamples = 1000;
    public const int DefaultSeed = 12345;

    /// <summary>Per-segment BLEU statistics of <paramref name="hypotheses"/> against one reference each.</summary>
    public static BleuStatistics[] SegmentStatistics(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, BleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references", nameof(hypotheses));
        options ??= BleuOptions.CorpusDefaults;
        var stats = new BleuStatistics[hypotheses.Count];
        for (int i = 0; i < stats.Length; i++)
            stats[i] = BleuMetric.SegmentStatistics(hypotheses[i], [references[i]], options);
        return stats;
    }

    /// <summary>
    /// <paramref name="resamples"/> rows of <paramref name="segments"/> indices in [0, segments), drawn with
    /// replacement; the same for the same seed.
    /// </summary>
    public static int[][] ResampleIndices(int segments, int resamples, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resamples);
        var random = new Random(seed);
        var rows = new int[resamples][];
        for (int r = 0; r < resamples; r++)
        {
            var row = new int[segments];
            for (int i = 0; i < segments; i++)
                row[i] = random.Next(segments);
            rows[r] = row;
        }
        return rows;
    }

    /// <summary>
    /// Compares each of <paramref name="systems"/> with <paramref name="baseline"/> (per-segment statistics of the
    /// same segments, in the same order).
    /// </summary>
    public static PairedBootstrapResult Compare(
        IReadOnlyList<BleuStatistics> baseline,
        IReadOnlyList<IReadOnlyList<BleuStatistics>> systems,
        BleuOptions? options = null,
        int resamples = DefaultResamples,
        int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseline.Count);
        options ??= BleuOptions.CorpusDefaults;
        foreach (var system in systems)
            CheckSameSegments(baseline, system, nameof(systems));
        int[][] indices = ResampleIndices(baseline.Count, resamples, seed);
        double baselineScore = CorpusBleu(baseline, options);
        double[] baselineScores = ResampleScores(baseline, indices, options);
        var comparisons = new List<PairedBootstrapComparison>(systems.Count);
        foreach (var system in systems)
        {
            double score = CorpusBleu(system, options);
            double[] scores = ResampleScores(system, indices, options);
            double difference = score - baselineScore;
            double p = SameStatistics(baseline, system) ? 1.0 : PValue(baselineScores, scores, Math.Abs(difference));
            comparisons.Add(new PairedBootstrapComparison(EstimateInterval(score, scores), difference, p));
        }
        return new PairedBootstrapResult(EstimateInterval(baselineScore, baselineScores), comparisons, resamples, seed);
    }

    /// <summary>BLEU of the summed statistics (equals <see cref="BleuMetric.CorpusScore"/> of the segments).</summary>
    public static double CorpusBleu(IReadOnlyList<BleuStatistics> segments, BleuOptions options) =>
        BleuMetric.ComputeScore(BleuStatistics.Sum(segments), options).Score;

    /// <summary>The BLEU of each resample: the statistics of the indexed segments summed.</summary>
    public static double[] ResampleScores(IReadOnlyList<BleuStatistics> segments, int[][] indices, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(options);
        var scores = new double[indices.Length];
        for (int r = 0; r < indices.Length; r++)
        {
            int sys = 0, reference = 0;
            var correct = new long[BleuMetric.MaxNgramOrder];
            var total = new long[BleuMetric.MaxNgramOrder];
            foreach (int i in indices[r])
            {
                BleuStatistics s = segments[i];
                sys += s.SysLen;
                reference += s.RefLen;
                for (int n = 0; n < correct.Length; n++)
                {
                    correct[n] += s.Correct[n];
                    total[n] += s.Total[n];
                }
            }
            scores[r] = BleuMetric.ComputeScore(new BleuStatistics(sys, reference, correct, total), options).Score;
        }
        return scores;
    }

    /// <summary>sacrebleu's <c>estimate_ci</c>: mean and the 95% interval of the sorted resample scores.</summary>
    public static BootstrapInterval EstimateInterval(double score, IReadOnlyList<double> resampleScores)
    {
        ArgumentNullException.ThrowIfNull(resampleScores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resampleScores.Count);
        double[] sorted = [.. resampleScores.Order()];
        int lowerIndex = sorted.Length / 40;
        int upperIndex = sorted.Length - lowerIndex - 1;
        double lower = sorted[lowerIndex], upper = sorted[upperIndex];
        return new BootstrapInterval(score, sorted.Average(), 0.5 * (upper - lower), lower, upper);
    }

    /// <summary>
    /// sacrebleu's paired-bootstrap p-value: resample differences |sys − base| centred on their mean, counted when
    /// above the observed difference, p = (count + 1) / (n + 1).
    /// </summary>
    public static double PValue(IReadOnlyList<double> baselineScores, IReadOnlyList<double> systemScores, double observedDifference)
    {
        ArgumentNullException.ThrowIfNull(baselineScores);
        ArgumentNullException.ThrowIfNull(systemScores);
        if (baselineScores.Count != systemScores.Count)
            throw new ArgumentException($"{systemScores.Count} system scores for {baselineScores.Count} baseline scores", nameof(systemScores));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baselineScores.Count);
        var differences = new double[baselineScores.Count];
        for (int i = 0; i < differences.Length; i++)
            differences[i] = Math.Abs(systemScores[i] - baselineScores[i]);
        double mean = differences.Average();
        return SignificancePValue.Of([.. differences.Select(d => d - mean)], observedDifference);
    }

    /// <summary>Throws unless <paramref name="system"/> has as many segments as <paramref name="baseline"/>.</summary>
    public static void CheckSameSegments(IReadOnlyList<BleuStatistics> baseline, IReadOnlyList<BleuStatistics> system, string parameter)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(system, parameter);
        if (system.Count != baseline.Count)
            throw new ArgumentException($"a system has {system.Count} segments, the baseline {baseline.Count}: compare systems on the same test set", parameter);
    }

    /// <summary>True when both systems have equal statistics for every segment (a system against itself).</summary>
    public static bool SameStatistics(IReadOnlyList<BleuStatistics> a, IReadOnlyList<BleuStatistics> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].SysLen != b[i].SysLen || a[i].RefLen != b[i].RefLen
                || !a[i].Correct.SequenceEqual(b[i].Correct) || !a[i].Total.SequenceEqual(b[i].Total))
                return false;
        }
        return true;
    }
}
