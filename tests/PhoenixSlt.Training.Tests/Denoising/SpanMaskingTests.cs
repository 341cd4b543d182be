using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Denoising;
using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Denoising;

public sealed class SpanMaskingTests
{
    private const int Mask = 999;

    [Fact]
    public void PoissonSampler_ManyDraws_MeanAndVarianceAreLambda()
    {
        var random = new Random(1);
        const int n = 40_000;
        var draws = Enumerable.Range(0, n).Select(_ => PoissonSampler.Sample(3.5, random)).ToArray();
        double mean = draws.Average();
        double variance = draws.Select(d => (d - mean) * (d - mean)).Sum() / (n - 1);

        // standard error of the mean: sqrt(3.5 / 40000) ≈ 0.0094, so ±0.05 is over 5σ;
        // the variance of Poisson is λ; its sample estimate has a standard error ≈ sqrt((λ + 2λ²) / n) ≈ 0.027.
        Assert.InRange(mean, 3.45, 3.55);
        Assert.InRange(variance, 3.35, 3.65);
        Assert.True(draws.Count(d => d == 0) > 0, "Poisson(3.5) gives 0 about 3 % of the time");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]     // 0.7 → 1
    [InlineData(10, 4)]    // 3.5 → 4
    [InlineData(20, 7)]    // exactly 7
    [InlineData(0, 0)]
    public void WordsToMask_IsTheCeilingOf35Percent(int words, int expected)
        => Assert.Equal(expected, new SpanMasking().WordsToMask(words));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)]
    public void Apply_ManySeeds_RemovesExactlyTheTargetNumberOfWholeWordsInOrder(int seed)
    {
        var masking = new SpanMasking();
        // 12 words; words 3 and 8 have two pieces (ids 103+1003, 108+1008): pieces ≥ 1000 continue a word
        var ids = Enumerable.Range(100, 12).SelectMany(w => w is 103 or 108 ? new[] { w, w + 900 } : new[] { w }).ToArray();
        bool IsWordStart(int id) => id < 1000;

        int[] noised = masking.Apply(ids, IsWordStart, Mask, new Random(seed));

        var kept = noised.Where(id => id != Mask).ToList();
        var keptWords = kept.Where(IsWordStart).ToList();
        Assert.Equal(12 - masking.WordsToMask(12), keptWords.Count);
        Assert.True(IsSubsequence(kept, ids), "kept tokens stay in their order");
        foreach (int word in new[] { 103, 108 })
            Assert.Equal(kept.Contains(word), kept.Contains(word + 900));   // whole words only
        Assert.DoesNotContain(noised.Zip(noised.Skip(1)), pair => pair.First == Mask && pair.Second == Mask);
        Assert.Contains(Mask, noised);
    }

    [Fact]
    public void Apply_RemovedRun_BecomesOneMask()
    {
        // ratio 1: every word goes, in one run, so the sentence becomes a single <mask>
        var masking = new SpanMasking(maskRatio: 1.0);

        int[] noised = masking.Apply([5, 6, 7, 8, 9], _ => true, Mask, new Random(3));

        Assert.Equal([Mask], noised);
    }

    [Fact]
    public void Apply_ZeroRatio_LeavesTheSentence()
        => Assert.Equal([5, 6, 7], new SpanMasking(maskRatio: 0).Apply([5, 6, 7], _ => true, Mask, new Random(3)));

    [Fact]
    public void Apply_SameSeed_SameNoise()
    {
        var masking = new SpanMasking();
        int[] ids = [.. Enumerable.Range(10, 20)];

        Assert.Equal(masking.Apply(ids, _ => true, Mask, new Random(42)), masking.Apply(ids, _ => true, Mask, new Random(42)));
    }

    [Fact]
    public void WordStartRule_CorpusVocabulary_EveryTokenIsAWord()
    {
        var tokenizer = CorpusTokenizer.Build(["es regnet im norden", "morgen scheint die sonne"]);
        var rule = TextPretrainingTask.WordStartRule(tokenizer);

        Assert.All(tokenizer.Encode("es regnet morgen").SkipLast(2), id => Assert.True(rule(id)));
    }

    private static bool IsSubsequence(IReadOnlyList<int> sub, IReadOnlyList<int> sequence)
    {
        int j = 0;
        foreach (int id in sequence)
            if (j < sub.Count && sub[j] == id)
                j++;
        return j == sub.Count;
    }
}
