namespace PhoenixSlt.Core.Metrics;

/// The translation metrics reported by training, evaluation and the portal, all from one
/// <see cref="MetricSuite.Score"/> call on the whole split (corpus-level, never averaged over parts):
/// <list type="bullet">
/// <item>bleu1..bleu4: cumulative BLEU-1..4 as Phoenix-2014T papers report them (signjoey, first reference);</item>
/// <item>sacrebleu: sacrebleu 2.6.0 corpus BLEU (13a, exp smoothing), as GFSLT-VLP reports BLEU-4;</item>
/// <item>rouge_l: ROUGE-L of the SLT literature (split on ' ', LCS, β = 1.2, mean × 100);</item>
/// <item>chrf: sacrebleu 2.6.0 chrF2.</item>
/// </list>
public static class TranslationScores
{
    public static IReadOnlyDictionary<string, double> Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references", nameof(hypotheses));
        if (hypotheses.Count == 0)
            throw new ArgumentException("nothing to score: the split is empty", nameof(hypotheses));
        var result = MetricSuite.Score(hypotheses, [references.ToArray()]);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Bleu1] = result.Slt.Bleu1,
            [MetricNames.Bleu2] = result.Slt.Bleu2,
            [MetricNames.Bleu3] = result.Slt.Bleu3,
            [MetricNames.Bleu4] = result.Slt.Bleu4,
            [MetricNames.SacreBleu] = result.Bleu.Score,
            [MetricNames.RougeL] = result.RougeL.Score,
            [MetricNames.Chrf] = result.Chrf.Score,
        };
    }
}
