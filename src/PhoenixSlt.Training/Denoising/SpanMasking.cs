namespace PhoenixSlt.Training.Denoising;

/// mBART's text infilling noise (Liu et al., 2020, §2.2; fairseq DenoisingDataset with mask_length=span-poisson,
/// poisson_lambda=3.5, replace_length=1, mask=0.35, whole words): ceil(ratio · words) whole words are removed in
/// spans whose lengths follow Poisson(λ), and each maximal run of removed words becomes ONE &lt;mask&gt; token, so the
/// model must also infer how many words are missing. A span of length 0 inserts a &lt;mask&gt; before a word without
/// removing anything (as fairseq's insertion for 0-length spans).
/// <para>Difference from fairseq: spans are drawn until exactly ceil(ratio · words) distinct words are removed
/// (overlapping spans are topped up rather than leaving the sentence with fewer masked words); the first word is
/// never special (fairseq keeps &lt;s&gt;, which mBART targets do not have).</para>
public sealed class SpanMasking
{
    public SpanMasking(double maskRatio = 0.35, double poissonLambda = 3.5)
    {
        if (!(maskRatio >= 0 && maskRatio <= 1))
            throw new ArgumentOutOfRangeException(nameof(maskRatio), maskRatio, "the masked fraction of words must be in [0, 1]");
        if (!(poissonLambda > 0))
            throw new ArgumentOutOfRangeException(nameof(poissonLambda), poissonLambda, "the mean span length must be positive");
        MaskRatio = maskRatio;
        PoissonLambda = poissonLambda;
    }

    public double MaskRatio { get; }

    public double PoissonLambda { get; }

    /// Words to remove from a sentence of <paramref name="wordCount"/> words.
    public int WordsToMask(int wordCount) => (int)Math.Ceiling(wordCount * MaskRatio - 1e-9);

    /// Which words are removed (true) and before which words a &lt;mask&gt; is inserted.
    public (bool[] Removed, bool[] InsertBefore) Plan(int wordCount, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        ArgumentNullException.ThrowIfNull(random);
        var removed = new bool[wordCount];
        var insert = new bool[wordCount];
        int target = WordsToMask(wordCount);
        int count = 0;
        while (count < target)
        {
            int length = PoissonSampler.Sample(PoissonLambda, random);
            int start = random.Next(wordCount);
            if (length == 0)
            {
                insert[start] = true;
                continue;
            }
            for (int w = start; w < wordCount && length > 0 && count < target; w++)
            {
                if (removed[w])
                    continue;
                removed[w] = true;
                count++;
                length--;
            }
        }
        return (removed, insert);
    }

    /// Applies the noise to the ids of one sentence (without the "&lt;/s&gt; lang" suffix).
    /// <param name="ids">Token ids of the text.</param>
    /// <param name="isWordStart">True for tokens that begin a word (the first token always does).</param>
    /// <param name="maskId">Id of &lt;mask&gt;.</param>
    public int[] Apply(IReadOnlyList<int> ids, Func<int, bool> isWordStart, int maskId, Random random)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(isWordStart);
        var words = Words(ids, isWordStart);
        var (removed, insert) = Plan(words.Count, random);
        var noised = new List<int>(ids.Count);
        for (int w = 0; w < words.Count; w++)
        {
            if (insert[w] && !removed[w] && (noised.Count == 0 || noised[^1] != maskId))
                noised.Add(maskId);
            if (removed[w])
            {
                if (noised.Count == 0 || noised[^1] != maskId)
                    noised.Add(maskId);
                continue;
            }
            var (start, length) = words[w];
            for (int i = start; i < start + length; i++)
                noised.Add(ids[i]);
        }
        return [.. noised];
    }

    /// (first token, token count) of each word.
    public static List<(int Start, int Length)> Words(IReadOnlyList<int> ids, Func<int, bool> isWordStart)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(isWordStart);
        var words = new List<(int Start, int Length)>();
        for (int i = 0; i < ids.Count; i++)
        {
            if (i == 0 || isWordStart(ids[i]))
                words.Add((i, 1));
            else
                words[^1] = (words[^1].Start, words[^1].Length + 1);
        }
        return words;
    }
}
