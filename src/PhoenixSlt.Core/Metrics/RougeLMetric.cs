namespace PhoenixSlt.Core.Metrics;

/// <summary>A corpus ROUGE-L result.</summary>
/// <param name="Score">Mean segment F × 100 (0–100).</param>
/// <param name="Segments">Per-segment F in 0–1.</param>
/// <param name="Beta">Recall weight β (1.2).</param>
public sealed record RougeLScore(double Score, IReadOnlyList<double> Segments, double Beta);

/// <summary>
/// ROUGE-L as the sign-language-translation literature computes it: pycocoevalcap's <c>Rouge.calc_score</c>
/// (shipped as <c>signjoey/external_metrics/mscoco_rouge.py</c> in neccam/slt) averaged by signjoey's
/// <c>rouge()</c>. Tokens come from <c>s.split(" ")</c> (single space only, no strip, no lowercasing), so
/// <c>""</c> is one empty token and tabs or NBSP do not separate words.
/// </summary>
public static class RougeLMetric
{
    /// <summary>β of pycocoevalcap's ROUGE-L.</summary>
    public const double DefaultBeta = 1.2;

    /// <summary>
    /// signjoey <c>rouge()</c>: <c>acc += F_i / n</c> in segment order, then <c>acc * 100</c>; every non-null
    /// reference of a segment takes part.
    /// </summary>
    public static RougeLScore CorpusScore(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams, double beta = DefaultBeta)
    {
        IReadOnlyList<string>[] segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        var scores = new double[segments.Length];
        double accumulated = 0;
        for (int i = 0; i < segments.Length; i++)
        {
            scores[i] = SegmentScore(hypotheses[i], segments[i], beta);
            accumulated += scores[i] / segments.Length;
        }
        return new RougeLScore(accumulated * 100, scores, beta);
    }

    /// <summary>
    /// pycocoevalcap <c>calc_score([hypothesis], references)</c>: P and R are each the maximum over references
    /// of LCS/len, and F = (1+β²)·P·R / (R + β²·P), or 0 when P or R is 0. Result in 0–1.
    /// </summary>
    public static double SegmentScore(string hypothesis, IReadOnlyList<string> references, double beta = DefaultBeta)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
            throw new ArgumentException("A segment needs at least one reference.", nameof(references));

        string[] candidate = PythonText.SplitOnSpace(hypothesis);
        double maxPrecision = double.NegativeInfinity, maxRecall = double.NegativeInfinity;
        foreach (string reference in references)
        {
            string[] tokens = PythonText.SplitOnSpace(reference);
            int lcs = LongestCommonSubsequence(tokens, candidate);
            maxPrecision = Math.Max(maxPrecision, lcs / (double)candidate.Length);
            maxRecall = Math.Max(maxRecall, lcs / (double)tokens.Length);
        }
        if (maxPrecision == 0 || maxRecall == 0) return 0.0;

        double betaSquared = Math.Pow(beta, 2);
        return (1 + betaSquared) * maxPrecision * maxRecall / (maxRecall + betaSquared * maxPrecision);
    }

    /// <summary>Length of the longest common subsequence of two token sequences (ordinal comparison).</summary>
    public static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
