using System.Text.Json;
using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// <summary>
/// Every field of every case of the sacrebleu 2.6.0 / signjoey golden fixture, compared bit for bit
/// (the fixture's floats are Python reprs, so double.Parse gives back the identical double).
/// </summary>
public sealed class BleuFixtureTests
{
    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void CorpusScore_FixtureCase_MatchesSacrebleuExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement expected = c.Expected.GetProperty("bleu");

        BleuScore actual = BleuMetric.CorpusScore(c.Hyps, c.RefStreams, c.BleuOptions);

        AssertBleu(expected, actual, "bleu");
        Assert.Equal(expected.GetProperty("str").GetString(), actual.ToString());
        Assert.Equal(expected.GetProperty("signature").GetString(), actual.Signature);
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void SentenceScore_FixtureCase_MatchesSacrebleuExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement[] expected = [.. c.Expected.GetProperty("sentence_bleu").EnumerateArray()];
        Assert.Equal(c.Hyps.Length, expected.Length);

        for (int i = 0; i < c.Hyps.Length; i++)
        {
            BleuScore actual = BleuMetric.SentenceScore(c.Hyps[i], c.SegmentRefs(i), c.SentenceBleuOptions);
            AssertBleu(expected[i], actual, $"sentence_bleu[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void ChrfCorpusScore_FixtureCase_MatchesSacrebleuExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        AssertChrf(c.Expected.GetProperty("chrf"), ChrfMetric.ChrF.CorpusScore(c.Hyps, c.RefStreams), "chrf");
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void ChrfPlusPlusCorpusScore_FixtureCase_MatchesSacrebleuExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        AssertChrf(c.Expected.GetProperty("chrf_plus_plus"), ChrfMetric.ChrFPlusPlus.CorpusScore(c.Hyps, c.RefStreams),
            "chrf_plus_plus");
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void ChrfSentenceScore_FixtureCase_MatchesSacrebleuExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        double[] expected = c.Expected.GetProperty("sentence_chrf").Doubles();
        Assert.Equal(c.Hyps.Length, expected.Length);

        for (int i = 0; i < c.Hyps.Length; i++)
            BleuFixture.Exact(expected[i], ChrfMetric.ChrF.SentenceScore(c.Hyps[i], c.SegmentRefs(i)).Score, $"sentence_chrf[{i}]");
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void RougeLCorpusScore_FixtureCase_MatchesSignjoeyExactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement expected = c.Expected.GetProperty("rouge_l");

        RougeLScore actual = RougeLMetric.CorpusScore(c.Hyps, c.RefStreams);

        BleuFixture.Exact(expected.GetProperty("segments").Doubles(), actual.Segments, "rouge_l.segments");
        BleuFixture.Exact(expected.GetProperty("score").GetDouble(), actual.Score, "rouge_l.score");
        BleuFixture.Exact(expected.GetProperty("beta").GetDouble(), actual.Beta, "rouge_l.beta");
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void SignjoeyCompute_FixtureCase_MatchesSacrebleu142Exactly(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement expected = c.Expected.GetProperty("slt_signjoey");

        SltScores actual = SignjoeyMetrics.Compute(c.Hyps, c.Refs[0]);

        BleuFixture.Exact(expected.GetProperty("bleu1").GetDouble(), actual.Bleu1, "slt.bleu1");
        BleuFixture.Exact(expected.GetProperty("bleu2").GetDouble(), actual.Bleu2, "slt.bleu2");
        BleuFixture.Exact(expected.GetProperty("bleu3").GetDouble(), actual.Bleu3, "slt.bleu3");
        BleuFixture.Exact(expected.GetProperty("bleu4").GetDouble(), actual.Bleu4, "slt.bleu4");
        Assert.Equal(expected.GetProperty("bleu_counts").Longs(), actual.Counts);
        Assert.Equal(expected.GetProperty("bleu_totals").Longs(), actual.Totals);
        Assert.Equal(expected.GetProperty("bleu_sys_len").GetInt32(), actual.SysLen);
        Assert.Equal(expected.GetProperty("bleu_ref_len").GetInt32(), actual.RefLen);
        BleuFixture.Exact(expected.GetProperty("chrf").GetDouble(), actual.Chrf, "slt.chrf");
        BleuFixture.Exact(expected.GetProperty("rouge").GetDouble(), actual.Rouge, "slt.rouge");
    }

    [Theory]
    [MemberData(nameof(BleuFixture.DebugCaseIds), MemberType = typeof(BleuFixture))]
    public void PreprocessSegment_FixtureDebugCase_MatchesSacrebleuTokenization(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement debug = c.Expected.GetProperty("debug");
        string[] expectedHyps = [.. debug.GetProperty("tokenized_hyps").EnumerateArray().Select(e => e.GetString()!)];
        JsonElement[] expectedStreams = [.. debug.GetProperty("tokenized_refs").EnumerateArray()];

        Assert.Equal(expectedHyps, c.Hyps.Select(h => BleuMetric.PreprocessSegment(h, c.BleuOptions)));
        Assert.Equal(c.Refs.Length, expectedStreams.Length);
        for (int k = 0; k < c.Refs.Length; k++)
        {
            string?[] expected = [.. expectedStreams[k].EnumerateArray().Select(e => e.GetString())];
            string?[] actual = [.. c.Refs[k].Select(r => r is null ? null : BleuMetric.PreprocessSegment(r, c.BleuOptions))];
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(BleuFixture.DebugCaseIds), MemberType = typeof(BleuFixture))]
    public void ChrfSegmentStatistics_FixtureDebugCase_MatchesChosenReferenceTriples(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement[] expected = [.. c.Expected.GetProperty("debug").GetProperty("sentence_chrf_stats").EnumerateArray()];
        Assert.Equal(c.Hyps.Length, expected.Length);

        for (int i = 0; i < c.Hyps.Length; i++)
        {
            string[] refs = [.. c.SegmentRefs(i).OfType<string>()];
            Assert.Equal(expected[i].Longs(), ChrfMetric.ChrF.SegmentStatistics(c.Hyps[i], refs));
        }
    }

    [Theory]
    [MemberData(nameof(BleuFixture.AllCaseIds), MemberType = typeof(BleuFixture))]
    public void MetricSuiteScore_FixtureCase_ReportsEveryMetricOfTheFixture(string id)
    {
        BleuFixtureCase c = BleuFixture.Case(id);
        JsonElement e = c.Expected;

        MetricSuiteResult suite = MetricSuite.Score(c.Hyps, c.RefStreams, c.BleuOptions);

        BleuFixture.Exact(e.GetProperty("bleu").GetProperty("score").GetDouble(), suite.Bleu.Score, "bleu.score");
        BleuFixture.Exact(e.GetProperty("chrf").GetProperty("score").GetDouble(), suite.Chrf.Score, "chrf.score");
        BleuFixture.Exact(e.GetProperty("chrf_plus_plus").GetProperty("score").GetDouble(), suite.ChrfPlusPlus.Score, "chrf++.score");
        BleuFixture.Exact(e.GetProperty("rouge_l").GetProperty("score").GetDouble(), suite.RougeL.Score, "rouge_l.score");
        BleuFixture.Exact(e.GetProperty("slt_signjoey").GetProperty("bleu4").GetDouble(), suite.Slt.Bleu4, "slt.bleu4");
        double[] sentence = [.. e.GetProperty("sentence_bleu").EnumerateArray().Select(s => s.GetProperty("score").GetDouble())];
        BleuFixture.Exact(sentence, [.. suite.SentenceBleu.Select(s => s.Score)], "sentence_bleu.score");
    }

    private static void AssertBleu(JsonElement expected, BleuScore actual, string field)
    {
        BleuFixture.Exact(expected.GetProperty("counts").Doubles(), actual.Counts, $"{field}.counts");
        BleuFixture.Exact(expected.GetProperty("totals").Doubles(), actual.Totals, $"{field}.totals");
        Assert.Equal(expected.GetProperty("sys_len").GetInt32(), actual.SysLen);
        Assert.Equal(expected.GetProperty("ref_len").GetInt32(), actual.RefLen);
        BleuFixture.Exact(expected.GetProperty("precisions").Doubles(), actual.Precisions, $"{field}.precisions");
        BleuFixture.Exact(expected.GetProperty("bp").GetDouble(), actual.Bp, $"{field}.bp");
        BleuFixture.Exact(expected.GetProperty("ratio").GetDouble(), actual.Ratio, $"{field}.ratio");
        BleuFixture.Exact(expected.GetProperty("score").GetDouble(), actual.Score, $"{field}.score");
    }

    private static void AssertChrf(JsonElement expected, ChrfScore actual, string field)
    {
        Assert.Equal(expected.GetProperty("stats").Longs(), actual.Stats);
        Assert.Equal(expected.GetProperty("char_order").GetInt32(), actual.CharOrder);
        Assert.Equal(expected.GetProperty("word_order").GetInt32(), actual.WordOrder);
        Assert.Equal(expected.GetProperty("beta").GetInt32(), actual.Beta);
        BleuFixture.Exact(expected.GetProperty("score").GetDouble(), actual.Score, $"{field}.score");
        Assert.Equal(expected.GetProperty("str").GetString(), actual.ToString());
        Assert.Equal(expected.GetProperty("signature").GetString(), actual.Signature);
    }
}
