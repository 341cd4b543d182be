using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// chrF pitfalls 12–15 and ROUGE-L pitfalls 16–18 of tests/fixtures/bleu/README.md.
public sealed class ChrfMetricTests
{
    [Fact]
    public void CharNgrams_AstralAndVariationSelector_CountCodePoints()
    {
        Assert.Single(ChrfMetric.CharNgrams("🙂", 1));
        Assert.Equal(2, ChrfMetric.CharNgrams("🌧️", 1).Count);   // U+1F327 U+FE0F
        Assert.Equal(1, ChrfMetric.CharNgrams("🌧️", 2).Values.Sum());
    }

    [Fact]
    public void CharNgrams_Whitespace_IsRemovedBeforeCounting()
    {
        Assert.Equal(new Dictionary<string, int> { ["ab"] = 1, ["bc"] = 1 }, ChrfMetric.CharNgrams("a b\u00A0c", 2));
    }

    [Fact]
    public void SegmentStatistics_ReferenceWithoutNgramsOfAnOrder_ReportsZeroHypothesisCount()
    {
        long[] stats = ChrfMetric.ChrF.SegmentStatistics("abcdef", ["ab"]);

        Assert.Equal([6L, 2, 2], stats[0..3]);
        Assert.Equal([5L, 1, 1], stats[3..6]);
        Assert.Equal([0L, 0, 0], stats[6..9]);   // order 3: the reference has none
    }

    [Fact]
    public void SegmentStatistics_SeveralReferences_BestSentenceFWinsFirstOnTies()
    {
        long[] best = ChrfMetric.ChrF.SegmentStatistics("abc", ["xyz", "abc", "abc"]);
        Assert.Equal(ChrfMetric.ChrF.SegmentStatistics("abc", ["abc"]), best);
        Assert.Equal(100.0, ChrfMetric.ChrF.FScore(best));
    }

    [Fact]
    public void FScore_ExactOperationOrder_MatchesTheFormula()
    {
        // One order: P = 1/2, R = 1/4 -> 100 * ((5 * P) * R) / (4 * P + R).
        var chrf = new ChrfMetric(1, 0, 2);
        double p = 0.5, r = 0.25;
        double s = 5 * p * r;
        s /= 4 * p + r;

        Assert.Equal(100 * s, chrf.FScore([2, 4, 1]));
    }

    [Fact]
    public void SplitWordsForChrf_Punctuation_SplitsOneCharacterLastFirst()
    {
        Assert.Equal(["(hi", ")", ",", "x", "y", ".", "!", "über"], ChrfMetric.SplitWordsForChrf("(hi) ,x y. ! über"));
    }

    [Fact]
    public void CorpusScore_IdenticalText_Scores100AndNamesVariant()
    {
        ChrfScore plain = ChrfMetric.ChrF.CorpusScore(["morgen regen"], [["morgen regen"]]);
        ChrfScore plus = ChrfMetric.ChrFPlusPlus.CorpusScore(["morgen regen"], [["morgen regen"]]);

        Assert.Equal("chrF2 = 100.00", plain.ToString());
        Assert.Equal("chrF2++ = 100.00", plus.ToString());
        Assert.Equal(3 * 8, plus.Stats.Count);
    }

    [Fact]
    public void CorpusScore_CaseDiffers_IsCaseSensitive()
    {
        Assert.True(ChrfMetric.ChrF.CorpusScore(["REGEN"], [["regen"]]).Score == 0.0);
    }
}

public sealed class RougeLMetricTests
{
    [Fact]
    public void SegmentScore_EmptyHypothesisAndEmptyReference_IsOne()
    {
        Assert.Equal(1.0, RougeLMetric.SegmentScore("", [""]));
    }

    [Fact]
    public void SegmentScore_DoubleSpace_AddsAnEmptyToken()
    {
        // "a  b" = [a, "", b]; LCS with [a, b] is 2 -> P = 2/3, R = 1.
        double p = 2 / 3.0, r = 1.0, b2 = Math.Pow(1.2, 2);
        Assert.Equal((1 + b2) * p * r / (r + b2 * p), RougeLMetric.SegmentScore("a  b", ["a b"]));
    }

    [Fact]
    public void SegmentScore_NonBreakingSpace_DoesNotSplit()
    {
        Assert.Equal(0.0, RougeLMetric.SegmentScore("a\u00A0b", ["a b"]));
    }

    [Fact]
    public void SegmentScore_SeveralReferences_TakesPrecisionAndRecallMaximaIndependently()
    {
        // ref 1 "a": lcs 1, P = 1/2, R = 1.  ref 2 "a b x y": lcs 2, P = 1, R = 1/2.  -> P = 1, R = 1.
        Assert.Equal(1.0, RougeLMetric.SegmentScore("a b", ["a", "a b x y"]), 15);
    }

    [Fact]
    public void LongestCommonSubsequence_KnownSequences_ReturnsLength()
    {
        Assert.Equal(3, RougeLMetric.LongestCommonSubsequence(["a", "b", "c", "d"], ["b", "x", "c", "d"]));
        Assert.Equal(0, RougeLMetric.LongestCommonSubsequence([], ["a"]));
    }

    [Fact]
    public void CorpusScore_MeanTimesHundred_AccumulatedPerSegment()
    {
        RougeLScore score = RougeLMetric.CorpusScore(["a", "b", "c"], [["a", "x", "c"]]);

        Assert.Equal([1.0, 0.0, 1.0], score.Segments);
        Assert.Equal((1.0 / 3 + 0.0 / 3 + 1.0 / 3) * 100, score.Score);
    }
}
