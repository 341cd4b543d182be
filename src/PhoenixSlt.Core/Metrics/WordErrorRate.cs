namespace PhoenixSlt.Core.Metrics;

/// Word error rate as continuous sign-language recognition reports it for glosses: the Levenshtein distance
/// (substitutions + deletions + insertions) between hypothesis and reference tokens, summed over the corpus, over
/// the number of reference tokens, in percent.
public static class WordErrorRate
{
    /// Edit distance between two token sequences.
    public static int Distance(IReadOnlyList<string> hypothesis, IReadOnlyList<string> reference)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(reference);
        var previous = new int[hypothesis.Count + 1];
        var current = new int[hypothesis.Count + 1];
        for (int j = 0; j <= hypothesis.Count; j++)
            previous[j] = j;
        for (int i = 1; i <= reference.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= hypothesis.Count; j++)
            {
                int substitution = previous[j - 1] + (string.Equals(reference[i - 1], hypothesis[j - 1], StringComparison.Ordinal) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[hypothesis.Count];
    }

    /// Corpus WER in percent over space-separated sequences; 0 when the references hold no token.
    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} references");
        long errors = 0, words = 0;
        for (int i = 0; i < references.Count; i++)
        {
            var reference = Text.GlossVocabulary.Split(references[i]);
            errors += Distance(Text.GlossVocabulary.Split(hypotheses[i]), reference);
            words += reference.Length;
        }
        return words == 0 ? 0 : 100.0 * errors / words;
    }
}
