using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// BLEU pitfalls 4–10 of tests/fixtures/bleu/README.md on hand-checkable inputs.
public sealed class BleuMetricTests
{
    private static BleuScore Corpus(string[] hyps, string[] refs, BleuOptions? options = null) =>
        BleuMetric.CorpusScore(hyps, [refs], options);

    [Fact]
    public void CorpusScore_NoMatchAtAll_EarlyExitWithoutSmoothing()
    {
        BleuScore score = Corpus(["a b c"], ["x y z"]);

        Assert.Equal(0.0, score.Score);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], score.Precisions);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], score.Counts);
        Assert.Equal([3.0, 2.0, 1.0, 0.0], score.Totals);
        Assert.Equal(1.0, score.Bp);
    }

    [Fact]
    public void CorpusScore_RepeatedHypothesisWord_IsClippedByReferenceCount()
    {
        BleuScore score = Corpus(["der der der"], ["der wind"]);

        Assert.Equal(1.0, score.Counts[0]);
        Assert.Equal(3.0, score.Totals[0]);
    }

    [Fact]
    public void CorpusScore_ClippingTakesMaximumOverReferences()
    {
        BleuScore score = BleuMetric.CorpusScore(["der der der"], [["der wind"], ["der der"]]);

        Assert.Equal(2.0, score.Counts[0]);
    }

    [Fact]
    public void CorpusScore_ReferenceLengthTie_PicksTheShorterReference()
    {
        // hypothesis 3 tokens, references 2 and 4 tokens: both differ by 1.
        BleuScore score = BleuMetric.CorpusScore(["a b c"], [["a b c d"], ["a b"]]);

        Assert.Equal(2, score.RefLen);
    }

    [Fact]
    public void CorpusScore_EmptyReference_CanBeTheClosestAndNullIsSkipped()
    {
        BleuScore score = BleuMetric.CorpusScore(["a", "a b"], [["", null], ["a b c", "a b"]]);

        Assert.Equal(0 + 2, score.RefLen);
        Assert.Equal("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", score.Signature);
    }

    [Fact]
    public void CorpusScore_EmptyHypotheses_BrevityPenaltyZero()
    {
        BleuScore score = Corpus(["", ""], ["a b", "c"]);

        Assert.Equal(0.0, score.Bp);
        Assert.Equal(0, score.SysLen);
        Assert.Equal(0.0, score.Score);
    }

    [Fact]
    public void CorpusScore_SingleWordSegmentsWithoutEffectiveOrder_ScoreZero()
    {
        // Orders 2..4 have no n-grams: the loop stops, their precisions stay 0 and my_log(0) drives BLEU to 0.
        BleuScore plain = Corpus(["a", "b"], ["a", "b"]);
        BleuScore effective = Corpus(["a", "b"], ["a", "b"], new BleuOptions { UseEffectiveOrder = true });

        Assert.Equal(0.0, plain.Score);
        Assert.Equal([100.0, 0.0, 0.0, 0.0], plain.Precisions);
        Assert.Equal(100.0, effective.Score, 12);
    }

    [Fact]
    public void CorpusScore_AddK_SmoothsCountsAndTotalsOfHigherOrders()
    {
        BleuScore score = Corpus(["a"], ["a"], new BleuOptions { SmoothMethod = BleuSmoothing.AddK, SmoothValue = 0.5 });

        Assert.Equal([1.0, 0.5, 0.5, 0.5], score.Counts);
        Assert.Equal([1.0, 0.5, 0.5, 0.5], score.Totals);
        Assert.Equal(100.0, score.Score, 12);
    }

    [Fact]
    public void CorpusScore_ExpSmoothing_HalvesEachFurtherZeroOrder()
    {
        // 3 tokens, 1 unigram match (pseudo-random words): p1 = 100/3, p2 = 100/(2*2), p3 = 100/(4*1).
        BleuScore score = Corpus(["a x y"], ["a b c"]);

        Assert.Equal(100.0 / 3, score.Precisions[0]);
        Assert.Equal(100.0 / (2 * 2), score.Precisions[1]);
        Assert.Equal(100.0 / (4 * 1), score.Precisions[2]);
        Assert.Equal(0.0, score.Precisions[3]);   // total 0: the loop stops
    }

    [Fact]
    public void CorpusScore_FloorSmoothing_UsesDefaultValueOfPointOne()
    {
        BleuScore score = Corpus(["a x y"], ["a b c"], new BleuOptions { SmoothMethod = BleuSmoothing.Floor });

        Assert.Equal(100.0 * 0.1 / 2, score.Precisions[1]);
        Assert.EndsWith("smooth:floor[0.10]|version:2.6.0", score.Signature);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exp, 0.5, "smooth:exp|")]
    [InlineData(BleuSmoothing.None, 0.5, "smooth:none|")]
    [InlineData(BleuSmoothing.AddK, null, "smooth:add-k[1.00]|")]
    [InlineData(BleuSmoothing.AddK, 0.5, "smooth:add-k[0.50]|")]
    public void Signature_SmoothValue_ShownOnlyForMethodsThatTakeOne(BleuSmoothing method, double? value, string expected)
    {
        Assert.Contains(expected, new BleuOptions { SmoothMethod = method, SmoothValue = value }.Signature(1));
    }

    [Fact]
    public void ToStringWithSignature_Default_MatchesSacrebleuCommandLineLayout()
    {
        BleuScore score = Corpus(["a b c d"], ["a b c d"]);

        Assert.StartsWith("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 100.00 100.0/", score.ToStringWithSignature());
    }

    [Fact]
    public void CorpusScore_DecomposedUmlaut_DoesNotMatchPrecomposed()
    {
        BleuScore score = Corpus(["u\u0308ber"], ["über"]);

        Assert.Equal(0.0, score.Counts[0]);
    }

    [Fact]
    public void CorpusScore_CorpusStatisticsAreSummedNotAveraged()
    {
        string[] hyps = ["der wind weht schwach", "morgen regen"];
        string[] refs = ["der wind weht mäßig", "morgen viel regen"];

        BleuScore corpus = Corpus(hyps, refs);
        BleuScore first = Corpus([hyps[0]], [refs[0]]);
        BleuScore second = Corpus([hyps[1]], [refs[1]]);

        Assert.Equal(first.Counts.Zip(second.Counts, (a, b) => a + b), corpus.Counts);
        Assert.Equal(first.Totals.Zip(second.Totals, (a, b) => a + b), corpus.Totals);
        Assert.Equal(first.RefLen + second.RefLen, corpus.RefLen);
    }

    [Fact]
    public void SentenceScore_DefaultOptions_UseEffectiveOrder()
    {
        BleuScore score = BleuMetric.SentenceScore("wind", ["wind"]);

        Assert.Equal(100.0, score.Score, 12);
        Assert.Contains("eff:yes", score.Signature);
    }

    [Fact]
    public void CorpusScore_StreamShorterThanHypotheses_ThrowsNamingTheStream()
    {
        var error = Assert.Throws<ArgumentException>(() => BleuMetric.CorpusScore(["a", "b"], [["a"]]));
        Assert.Contains("Reference stream 1 has 1 segments but there are 2 hypotheses", error.Message);
    }

    [Fact]
    public void CorpusScore_SegmentWithOnlyNullReferences_ThrowsNamingTheSegment()
    {
        var error = Assert.Throws<ArgumentException>(() => BleuMetric.CorpusScore(["a", "b"], [["a", null]]));
        Assert.Contains("Segment 2 has no reference", error.Message);
    }

    [Fact]
    public void ToString_TieValues_FormatsLikePython()
    {
        var score = new BleuScore(12.125, [1, 1, 1, 1], [8, 8, 8, 8], [12.25, 0.25, 62.5, 0.0], 0.5, 8, 16);

        Assert.Equal("BLEU = 12.12 12.2/0.2/62.5/0.0 (BP = 0.500 ratio = 0.500 hyp_len = 8 ref_len = 16)", score.ToString());
    }
}
