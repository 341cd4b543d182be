namespace PhoenixSlt.Core.Metrics;

/// <summary>Every translation metric of one scoring run.</summary>
/// <param name="Bleu">sacrebleu 2.6.0 corpus BLEU with the requested options.</param>
/// <param name="Chrf">sacrebleu 2.6.0 chrF2 (case-sensitive; independent of the BLEU options).</param>
/// <param name="ChrfPlusPlus">sacrebleu 2.6.0 chrF++ (word order 2).</param>
/// <param name="RougeL">ROUGE-L (SLT definition) over all references.</param>
/// <param name="Slt">signjoey BLEU-1..4 / chrF / ROUGE-L against the first reference stream.</param>
/// <param name="SentenceBleu">sacrebleu sentence BLEU of every segment (same options, effective order on).</param>
public sealed record MetricSuiteResult(
    BleuScore Bleu,
    ChrfScore Chrf,
    ChrfScore ChrfPlusPlus,
    RougeLScore RougeL,
    SltScores Slt,
    IReadOnlyList<BleuScore> SentenceBleu);

/// <summary>
/// One entry point for the command line and the portal: scores hypotheses against one or more reference
/// streams with every metric the project reports.
/// </summary>
public static class MetricSuite
{
    /// <summary>Scores <paramref name="hypotheses"/> against <paramref name="referenceStreams"/>.</summary>
    /// <param name="hypotheses">One output line per segment.</param>
    /// <param name="referenceStreams">Stream-major references (<c>referenceStreams[k][i]</c> = reference k of
    /// segment i); <c>null</c> marks a missing reference, but the first stream must be complete for the
    /// signjoey metrics.</param>
    /// <param name="options">BLEU settings; <c>null</c> = sacrebleu's corpus defaults. Sentence BLEU uses the same
    /// tokenizer, lowercasing and smoothing with effective order on, as <c>sacrebleu.sentence_bleu</c>.</param>
    /// <exception cref="ArgumentException">Stream lengths differ from the hypotheses, or a segment lacks references.</exception>
    public static MetricSuiteResult Score(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams, BleuOptions? options = null)
    {
        options ??= BleuOptions.CorpusDefaults;
        IReadOnlyList<string>[] segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        BleuOptions sentenceOptions = options with { UseEffectiveOrder = true };

        var sentenceBleu = new BleuScore[segments.Length];
        for (int i = 0; i < segments.Length; i++)
            sentenceBleu[i] = BleuMetric.SentenceScore(hypotheses[i], segments[i], sentenceOptions);

        return new MetricSuiteResult(
            BleuMetric.CorpusScore(hypotheses, referenceStreams, options),
            ChrfMetric.ChrF.CorpusScore(hypotheses, referenceStreams),
            ChrfMetric.ChrFPlusPlus.CorpusScore(hypotheses, referenceStreams),
            RougeLMetric.CorpusScore(hypotheses, referenceStreams),
            SignjoeyMetrics.Compute(hypotheses, referenceStreams[0]),
            sentenceBleu);
    }
}
