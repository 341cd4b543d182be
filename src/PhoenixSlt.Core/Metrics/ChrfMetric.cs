using System.Globalization;

namespace PhoenixSlt.Core.Metrics;

/// <summary>A chrF / chrF++ result (sacrebleu 2.6.0 <c>CHRFScore</c>).</summary>
/// <param name="Score">chrF in 0–100.</param>
/// <param name="CharOrder">Character n-gram order (6).</param>
/// <param name="WordOrder">Word n-gram order (0 for chrF, 2 for chrF++).</param>
/// <param name="Beta">Recall weight β (2).</param>
/// <param name="Stats">Summed <c>[hyp, ref, match]</c> triples: character orders 1..CharOrder, then word orders.</param>
public sealed record ChrfScore(double Score, int CharOrder, int WordOrder, int Beta, IReadOnlyList<long> Stats)
{
    /// <summary>sacrebleu's reproducibility signature.</summary>
    public string Signature { get; init; } = "";

    /// <summary>The metric name: <c>chrF2</c>, or <c>chrF2++</c> with word order 2.</summary>
    public string Name => $"chrF{Beta}" + new string('+', WordOrder);

    /// <summary>sacrebleu's <c>str(score)</c>, e.g. <c>chrF2 = 52.89</c>.</summary>
    public override string ToString() => $"{Name} = {PythonFormat.Fixed(Score, 2)}";

    /// <summary>sacrebleu's command-line line: <c>chrF2|nrefs:1|...|version:2.6.0 = 52.89</c>.</summary>
    public string ToStringWithSignature() => $"{Name}|{Signature} = {PythonFormat.Fixed(Score, 2)}";
}

/// <summary>
/// chrF (Popović 2015) and chrF++ (Popović 2017) exactly as sacrebleu 2.6.0's <c>CHRF</c> with
/// <c>eps_smoothing=False</c> and whitespace removed: character n-grams over Unicode code points, per segment
/// the reference with the best sentence F wins (first on ties), corpus statistics are summed, precision and
/// recall are averaged over the effective orders. Case-sensitive.
/// </summary>
public sealed class ChrfMetric
{
    private static readonly HashSet<char> AsciiPunctuation = [.. "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];

    /// <summary>chrF2: character order 6, no word n-grams, β = 2 (<c>sacrebleu.corpus_chrf</c>).</summary>
    public static ChrfMetric ChrF { get; } = new(6, 0, 2);

    /// <summary>chrF++: character order 6, word order 2, β = 2 (<c>CHRF(word_order=2)</c>).</summary>
    public static ChrfMetric ChrFPlusPlus { get; } = new(6, 2, 2);

    /// <summary>Creates a chrF variant.</summary>
    public ChrfMetric(int charOrder, int wordOrder, int beta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(charOrder);
        ArgumentOutOfRangeException.ThrowIfNegative(wordOrder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        CharOrder = charOrder;
        WordOrder = wordOrder;
        Beta = beta;
    }

    /// <summary>Character n-gram order.</summary>
    public int CharOrder { get; }

    /// <summary>Word n-gram order.</summary>
    public int WordOrder { get; }

    /// <summary>Recall weight β.</summary>
    public int Beta { get; }

    /// <summary><c>corpus_score(hypotheses, referenceStreams)</c>.</summary>
    public ChrfScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        IReadOnlyList<string>[] segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        var sum = new long[3 * (CharOrder + WordOrder)];
        for (int i = 0; i < segments.Length; i++)
        {
            long[] stats = SegmentStatistics(hypotheses[i], segments[i]);
            for (int j = 0; j < sum.Length; j++) sum[j] += stats[j];
        }
        return ScoreFromStatistics(sum) with { Signature = Signature(ReferenceStreams.CountPerSegment(segments)) };
    }

    /// <summary><c>sentence_score(hypothesis, references)</c> (<c>null</c> references are ignored).</summary>
    public ChrfScore SentenceScore(string hypothesis, IReadOnlyList<string?> references) =>
        CorpusScore([hypothesis], ReferenceStreams.ForSentence(references));

    /// <summary>The <c>[hyp, ref, match]</c> triples of the reference with the best sentence F.</summary>
    public long[] SegmentStatistics(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
            throw new ArgumentException("A segment needs at least one reference.", nameof(references));

        List<Dictionary<string, int>> hypNgrams = ExtractAll(hypothesis);
        long[] best = [];
        double bestF = -1.0;
        foreach (string reference in references)
        {
            List<Dictionary<string, int>> refNgrams = ExtractAll(reference);
            var stats = new long[3 * hypNgrams.Count];
            for (int order = 0; order < hypNgrams.Count; order++)
                MatchStatistics(hypNgrams[order], refNgrams[order]).CopyTo(stats, 3 * order);
            double f = FScore(stats);
            if (f > bestF)
            {
                bestF = f;
                best = stats;
            }
        }
        return best;
    }

    /// <summary>The chrF score (0–100) of summed statistics.</summary>
    public ChrfScore ScoreFromStatistics(IReadOnlyList<long> statistics) =>
        new(FScore(statistics), CharOrder, WordOrder, Beta, [.. statistics]);

    /// <summary>
    /// sacrebleu's <c>_compute_f_score</c> without eps smoothing: average precision and recall over orders where
    /// both counts are positive, then <c>s = (1+β²)·P·R; s /= β²·P + R; 100·s</c> in that operation order.
    /// </summary>
    public double FScore(IReadOnlyList<long> statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        int factor = Beta * Beta;
        double avgPrecision = 0.0, avgRecall = 0.0;
        int effectiveOrder = 0;
        for (int i = 0; i < CharOrder + WordOrder; i++)
        {
            long hyp = statistics[3 * i], reference = statistics[3 * i + 1], match = statistics[3 * i + 2];
            if (hyp > 0 && reference > 0)
            {
                avgPrecision += (double)match / hyp;
                avgRecall += (double)match / reference;
                effectiveOrder++;
            }
        }
        if (effectiveOrder == 0) return 0.0;
        avgPrecision /= effectiveOrder;
        avgRecall /= effectiveOrder;
        if (avgPrecision + avgRecall == 0) return 0.0;

        double score = (1 + factor) * avgPrecision * avgRecall;
        score /= factor * avgPrecision + avgRecall;
        return 100 * score;
    }

    /// <summary>sacrebleu's signature, e.g. <c>nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0</c>.</summary>
    public string Signature(int? referenceCount) =>
        $"nrefs:{referenceCount?.ToString(CultureInfo.InvariantCulture) ?? "var"}|case:mixed|eff:yes" +
        $"|nc:{CharOrder}|nw:{WordOrder}|space:no|version:{MetricVersions.SacreBleu}";

    /// <summary>
    /// chrF++'s word splitting: whitespace split, then for tokens longer than one character split off ONE ASCII
    /// punctuation character, the last if it is punctuation, otherwise the first.
    /// </summary>
    public static List<string> SplitWordsForChrf(string sentence)
    {
        var words = new List<string>();
        foreach (string w in PythonText.Split(sentence))
        {
            if (w.Length == 1)
                words.Add(w);
            else if (AsciiPunctuation.Contains(w[^1]))
                words.AddRange([w[..^1], w[^1..]]);
            else if (AsciiPunctuation.Contains(w[0]))
                words.AddRange([w[..1], w[1..]]);
            else
                words.Add(w);
        }
        return words;
    }

    /// <summary>Counts of character n-grams of order <paramref name="n"/> over code points, whitespace removed.</summary>
    public static Dictionary<string, int> CharNgrams(string sentence, int n)
    {
        string text = PythonText.RemoveWhitespace(sentence);
        int[] starts = CodePointOffsets(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int codePoints = starts.Length - 1;
        for (int i = 0; i + n <= codePoints; i++)
        {
            string ngram = text[starts[i]..starts[i + n]];
            counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
        }
        return counts;
    }

    private List<Dictionary<string, int>> ExtractAll(string sentence)
    {
        var all = new List<Dictionary<string, int>>(CharOrder + WordOrder);
        for (int n = 1; n <= CharOrder; n++) all.Add(CharNgrams(sentence, n));
        if (WordOrder > 0)
        {
            List<string> words = SplitWordsForChrf(sentence);
            for (int n = 1; n <= WordOrder; n++) all.Add(WordNgrams(words, n));
        }
        return all;
    }

    private static Dictionary<string, int> WordNgrams(List<string> words, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Count; i++)
        {
            string ngram = string.Join(' ', words.GetRange(i, n));
            counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
        }
        return counts;
    }

    // [hyp count (0 when the reference has no n-grams of this order), ref count, clipped matches]
    private static long[] MatchStatistics(Dictionary<string, int> hyp, Dictionary<string, int> reference)
    {
        long hypCount = 0, match = 0;
        foreach ((string ngram, int count) in hyp)
        {
            hypCount += count;
            if (reference.TryGetValue(ngram, out int refCount)) match += Math.Min(count, refCount);
        }
        long refTotal = reference.Values.Sum(c => (long)c);
        return [reference.Count > 0 ? hypCount : 0, refTotal, match];
    }

    // UTF-16 offsets of every code point start, plus the end offset.
    private static int[] CodePointOffsets(string text)
    {
        var offsets = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
        }
        offsets.Add(text.Length);
        return [.. offsets];
    }
}
