namespace PhoenixSlt.Core.Metrics;

/// <summary>BLEU-1..4, chrF and ROUGE-L the way most Phoenix-2014T papers report them (signjoey).</summary>
/// <param name="Bleu1">Cumulative BLEU-1 (0–100).</param>
/// <param name="Bleu2">Cumulative BLEU-2.</param>
/// <param name="Bleu3">Cumulative BLEU-3.</param>
/// <param name="Bleu4">Cumulative BLEU-4.</param>
/// <param name="Counts">Clipped n-gram matches, n = 1..4.</param>
/// <param name="Totals">Hypothesis n-grams, n = 1..4.</param>
/// <param name="SysLen">Hypothesis tokens.</param>
/// <param name="RefLen">Reference tokens.</param>
/// <param name="Chrf">sacrebleu-1.4.2 corpus chrF × 100.</param>
/// <param name="Rouge">ROUGE-L against the first reference only (0–100).</param>
public sealed record SltScores(
    double Bleu1, double Bleu2, double Bleu3, double Bleu4,
    IReadOnlyList<long> Counts, IReadOnlyList<long> Totals, int SysLen, int RefLen,
    double Chrf, double Rouge);

/// <summary>
/// The metrics of signjoey's <c>metrics.py</c> (neccam/slt; also Gloss2Text and other Camgöz-2020
/// descendants), which use the vendored sacrebleu 1.4.2 and only the FIRST reference stream:
/// <c>raw_corpus_bleu(hyps, [refs])</c> (no tokenization beyond whitespace split, no lowercasing, floor smoothing
/// with value 0, i.e. none) reported as cumulative BLEU-1..4; 1.4.2 <c>corpus_chrf</c> × 100; ROUGE-L.
/// Papers built on GFSLT-VLP report sacrebleu 2.x defaults instead (see <see cref="BleuMetric"/>).
/// </summary>
public static class SignjoeyMetrics
{
    private const int ChrfOrder = 6;
    private const int ChrfBeta = 2;

    private static readonly BleuOptions RawOptions = new() { Tokenize = BleuTokenizer.None };

    /// <summary>Computes every signjoey metric of <paramref name="hypotheses"/> against <paramref name="references"/>.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a reference is null.</exception>
    public static SltScores Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string?> references)
    {
        IReadOnlyList<string>[] segments = ReferenceStreams.BySegment(hypotheses, [references]);
        if (segments.Any(s => s.Count != 1))
            throw new ArgumentException("signjoey metrics need a first reference for every segment.", nameof(references));
        string[] refs = [.. segments.Select(s => s[0])];

        BleuStatistics stats = BleuStatistics.Sum(
            hypotheses.Select((h, i) => BleuMetric.SegmentStatistics(h, [refs[i]], RawOptions)));
        double[] bleu = CumulativeBleu(stats);
        double rouge = RougeLMetric.CorpusScore(hypotheses, [refs]).Score;
        return new SltScores(bleu[0], bleu[1], bleu[2], bleu[3], stats.Correct, stats.Total, stats.SysLen, stats.RefLen,
            CorpusChrf(hypotheses, refs), rouge);
    }

    /// <summary>
    /// sacrebleu 1.4.2 <c>compute_bleu(...).scores</c> with floor smoothing 0: precisions 100·c/t until the first
    /// order with no n-grams, then BLEU-k = BP·exp(Σ_{n≤k} my_log(p_n) / k) for k = 1..4. No early exit.
    /// </summary>
    public static double[] CumulativeBleu(BleuStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var precisions = new double[BleuMetric.MaxNgramOrder];
        for (int n = 0; n < precisions.Length; n++)
        {
            if (statistics.Total[n] == 0) break;
            precisions[n] = statistics.Correct[n] == 0 ? 0.0 : 100.0 * statistics.Correct[n] / statistics.Total[n];
        }
        double bp = BleuMetric.BrevityPenalty(statistics.SysLen, statistics.RefLen);
        var scores = new double[BleuMetric.MaxNgramOrder];
        for (int k = 1; k <= scores.Length; k++)
            scores[k - 1] = bp * Math.Exp(BleuMetric.SumOfLogs(precisions, k) / k);
        return scores;
    }

    /// <summary>
    /// sacrebleu 1.4.2 <c>corpus_chrf(hyps, refs).score * 100</c>: whitespace removed, per-segment counts of
    /// character n-grams 1..6 summed over the corpus (hypothesis counts kept even when the reference is empty),
    /// then P and R averaged over orders with both counts positive and F = (1+β²)·(P·R) / (β²·P + R).
    /// </summary>
    public static double CorpusChrf(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        var stats = new long[3 * ChrfOrder];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            for (int n = 1; n <= ChrfOrder; n++)
            {
                Dictionary<string, int> hyp = ChrfMetric.CharNgrams(hypotheses[i], n);
                Dictionary<string, int> reference = ChrfMetric.CharNgrams(references[i], n);
                stats[3 * (n - 1)] += hyp.Values.Sum();
                stats[3 * (n - 1) + 1] += reference.Values.Sum();
                stats[3 * (n - 1) + 2] += hyp.Sum(kv => Math.Min(kv.Value, reference.GetValueOrDefault(kv.Key)));
            }
        }

        double precision = 0.0, recall = 0.0;
        int effectiveOrder = 0;
        for (int i = 0; i < ChrfOrder; i++)
        {
            long hyp = stats[3 * i], reference = stats[3 * i + 1], common = stats[3 * i + 2];
            if (hyp > 0 && reference > 0)
            {
                precision += (double)common / hyp;
                recall += (double)common / reference;
                effectiveOrder++;
            }
        }
        if (effectiveOrder == 0) return 0.0;
        precision /= effectiveOrder;
        recall /= effectiveOrder;
        if (precision + recall == 0) return 0.0;

        const int betaSquare = ChrfBeta * ChrfBeta;
        double score = (1 + betaSquare) * (precision * recall) / (betaSquare * precision + recall);
        return score * 100;
    }
}
