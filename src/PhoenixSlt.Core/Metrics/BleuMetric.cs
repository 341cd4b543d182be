namespace PhoenixSlt.Core.Metrics;

/// <summary>
/// Sufficient statistics of one segment (or, summed, of a corpus): hypothesis length, closest reference length,
/// and clipped matches / totals per n-gram order.
/// </summary>
public sealed record BleuStatistics(int SysLen, int RefLen, IReadOnlyList<long> Correct, IReadOnlyList<long> Total)
{
    /// <summary>The element-wise sum of segment statistics (sacrebleu's <c>sum_of_lists</c>).</summary>
    public static BleuStatistics Sum(IEnumerable<BleuStatistics> segments)
    {
        int sys = 0, reference = 0;
        var correct = new long[BleuMetric.MaxNgramOrder];
        var total = new long[BleuMetric.MaxNgramOrder];
        foreach (BleuStatistics s in segments)
        {
            sys += s.SysLen;
            reference += s.RefLen;
            for (int n = 0; n < correct.Length; n++)
            {
                correct[n] += s.Correct[n];
                total[n] += s.Total[n];
            }
        }
        return new BleuStatistics(sys, reference, correct, total);
    }
}

/// <summary>
/// BLEU (Papineni et al., 2002) exactly as sacrebleu 2.6.0 computes it (<c>sacrebleu/metrics/bleu.py</c>):
/// per-segment preprocessing (optional <c>str.lower()</c>, <c>rstrip()</c>, tokenizer, whitespace split),
/// n-gram counts clipped by the maximum count over references, closest reference length (ties → shorter),
/// corpus statistics summed, then smoothing and the geometric mean with <c>my_log(0) = -9999999999</c>.
/// </summary>
public static class BleuMetric
{
    /// <summary>Highest n-gram order (sacrebleu's <c>MAX_NGRAM_ORDER</c>).</summary>
    public const int MaxNgramOrder = 4;

    /// <summary>sacrebleu's <c>BLEU._preprocess_segment</c>: optional lowercase, <c>rstrip()</c>, tokenize.</summary>
    public static string PreprocessSegment(string sentence, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Lowercase) sentence = PythonText.Lower(sentence);
        return BleuTokenizers.Tokenize(PythonText.RStrip(sentence), options.Tokenize);
    }

    /// <summary><c>sacrebleu.corpus_bleu(hypotheses, referenceStreams, ...)</c>.</summary>
    /// <param name="hypotheses">One line per segment.</param>
    /// <param name="referenceStreams">Stream-major references; <c>null</c> entries mean "no reference here".</param>
    /// <param name="options">Settings; <c>null</c> = <see cref="BleuOptions.CorpusDefaults"/>.</param>
    public static BleuScore CorpusScore(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams, BleuOptions? options = null)
    {
        options ??= BleuOptions.CorpusDefaults;
        IReadOnlyList<string>[] segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        var stats = new BleuStatistics[segments.Length];
        for (int i = 0; i < segments.Length; i++)
            stats[i] = SegmentStatistics(hypotheses[i], segments[i], options);
        return ComputeScore(BleuStatistics.Sum(stats), options) with
        {
            Signature = options.Signature(ReferenceStreams.CountPerSegment(segments)),
        };
    }

    /// <summary><c>sacrebleu.sentence_bleu(hypothesis, references, ...)</c>.</summary>
    /// <param name="hypothesis">The hypothesis.</param>
    /// <param name="references">Its references (<c>null</c> entries are ignored).</param>
    /// <param name="options">Settings; <c>null</c> = <see cref="BleuOptions.SentenceDefaults"/> (effective order on).</param>
    public static BleuScore SentenceScore(string hypothesis, IReadOnlyList<string?> references, BleuOptions? options = null) =>
        CorpusScore([hypothesis], ReferenceStreams.ForSentence(references), options ?? BleuOptions.SentenceDefaults);

    /// <summary>The statistics of one segment against its (non-null) references.</summary>
    public static BleuStatistics SegmentStatistics(string hypothesis, IReadOnlyList<string> references, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
            throw new ArgumentException("A segment needs at least one reference.", nameof(references));

        var refMax = new Dictionary<string, int>(StringComparer.Ordinal);
        var refLengths = new List<int>(references.Count);
        foreach (string reference in references)
        {
            List<string> tokens = PythonText.Split(PreprocessSegment(reference, options));
            refLengths.Add(tokens.Count);
            foreach ((string ngram, int count) in CountNgrams(tokens))
                refMax[ngram] = Math.Max(refMax.GetValueOrDefault(ngram), count);
        }

        List<string> hypTokens = PythonText.Split(PreprocessSegment(hypothesis, options));
        var correct = new long[MaxNgramOrder];
        var total = new long[MaxNgramOrder];
        foreach ((string ngram, int count) in CountNgrams(hypTokens))
        {
            int order = NgramOrder(ngram);
            total[order - 1] += count;
            if (refMax.TryGetValue(ngram, out int refCount))
                correct[order - 1] += Math.Min(count, refCount);
        }
        return new BleuStatistics(hypTokens.Count, ClosestReferenceLength(hypTokens.Count, refLengths), correct, total);
    }

    /// <summary>The reference length closest to <paramref name="hypLength"/>; a tie picks the shorter one.</summary>
    public static int ClosestReferenceLength(int hypLength, IReadOnlyList<int> referenceLengths)
    {
        int closestDiff = -1, closestLength = -1;
        foreach (int length in referenceLengths)
        {
            int diff = Math.Abs(hypLength - length);
            if (closestDiff == -1 || diff < closestDiff)
            {
                closestDiff = diff;
                closestLength = length;
            }
            else if (diff == closestDiff && length < closestLength)
            {
                closestLength = length;
            }
        }
        return closestLength;
    }

    /// <summary>
    /// sacrebleu 2.6.0 <c>BLEU.compute_bleu</c>: brevity penalty, early exit when nothing matches, then for
    /// n = 1..4 add-k (n ≥ 2), stop at a zero total, effective order, exp/floor smoothing of zero matches, and
    /// the geometric mean over the first effective-order precisions.
    /// </summary>
    public static BleuScore ComputeScore(BleuStatistics statistics, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(options);
        double[] correct = statistics.Correct.Select(c => (double)c).ToArray();
        double[] total = statistics.Total.Select(t => (double)t).ToArray();
        int sysLen = statistics.SysLen, refLen = statistics.RefLen;
        double smoothValue = options.EffectiveSmoothValue ?? 0.0;

        double bp = BrevityPenalty(sysLen, refLen);
        var precisions = new double[MaxNgramOrder];
        if (correct.All(c => c == 0))
            return new BleuScore(0.0, correct, total, precisions, bp, sysLen, refLen);

        double smoothMteval = 1.0;
        int effectiveOrder = MaxNgramOrder;
        for (int n = 1; n <= MaxNgramOrder; n++)
        {
            if (options.SmoothMethod == BleuSmoothing.AddK && n > 1)
            {
                correct[n - 1] += smoothValue;
                total[n - 1] += smoothValue;
            }
            if (total[n - 1] == 0) break;
            if (options.UseEffectiveOrder) effectiveOrder = n;

            if (correct[n - 1] == 0)
            {
                if (options.SmoothMethod == BleuSmoothing.Exp)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                }
                else if (options.SmoothMethod == BleuSmoothing.Floor)
                {
                    precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
                }
            }
            else
            {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }

        double score = bp * Math.Exp(SumOfLogs(precisions, effectiveOrder) / effectiveOrder);
        return new BleuScore(score, correct, total, precisions, bp, sysLen, refLen);
    }

    /// <summary>BP = 1 if sys ≥ ref, 0 if sys = 0, else exp(1 − ref/sys).</summary>
    public static double BrevityPenalty(int sysLen, int refLen)
    {
        if (sysLen >= refLen) return 1.0;
        return sysLen > 0 ? Math.Exp(1 - (double)refLen / sysLen) : 0.0;
    }

    /// <summary>sacrebleu's <c>my_log</c>: log, with log(0) = -9999999999 so a zero precision gives score 0, never NaN.</summary>
    public static double MyLog(double value) => value == 0.0 ? -9999999999 : Math.Log(value);

    /// <summary>Left-to-right sum of <see cref="MyLog"/> over the first <paramref name="count"/> precisions (Python 3.11 <c>sum</c>).</summary>
    internal static double SumOfLogs(IReadOnlyList<double> precisions, int count)
    {
        double sum = 0;
        for (int i = 0; i < count; i++) sum += MyLog(precisions[i]);
        return sum;
    }

    /// <summary>Counts word n-grams of orders 1..4 (space-joined keys).</summary>
    internal static Dictionary<string, int> CountNgrams(IReadOnlyList<string> tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= MaxNgramOrder; n++)
            for (int i = 0; i + n <= tokens.Count; i++)
            {
                string ngram = n == 1 ? tokens[i] : string.Join(' ', tokens.Skip(i).Take(n));
                counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
            }
        return counts;
    }

    // Tokens never contain whitespace, so the order of a key is its number of spaces plus one.
    private static int NgramOrder(string ngram) => ngram.Count(c => c == ' ') + 1;
}
