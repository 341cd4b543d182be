using System.Text.RegularExpressions;
using PhoenixSlt.Core.Data.Synthetic;

namespace PhoenixSlt.Core.Tests.Data.Synthetic;

public partial class WeatherGrammarTests
{
    private static List<SyntheticSentence> Sample(int n, ulong seed = 1)
    {
        var r = new SynthRandom(seed);
        return Enumerable.Range(0, n).Select(_ => WeatherGrammar.Generate(r)).ToList();
    }

    [Fact]
    public void Generate_SameGeneratorState_SameSentences()
    {
        var a = Sample(200, seed: 5);
        var b = Sample(200, seed: 5);
        Assert.Equal(a.Select(s => s.Translation + "|" + s.Orth), b.Select(s => s.Translation + "|" + s.Orth));
    }

    [Fact]
    public void Generate_DifferentSeeds_DifferentSentences()
    {
        var a = Sample(50, seed: 5).Select(s => s.Translation);
        var b = Sample(50, seed: 6).Select(s => s.Translation);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Generate_Translation_LooksLikePhoenixText()
    {
        foreach (var s in Sample(2000))
        {
            Assert.EndsWith(" .", s.Translation);
            Assert.Equal(".", s.Words[^1]);
            Assert.DoesNotContain(".", s.Words.Take(s.Words.Count - 1));
            Assert.All(s.Words.Take(s.Words.Count - 1), w => Assert.Matches(LowercaseWord(), w));
            Assert.DoesNotContain("  ", s.Translation);
        }
    }

    [Fact]
    public void Generate_Orth_IsUppercaseGlossesWithTransliteratedUmlauts()
    {
        foreach (var s in Sample(2000))
        {
            Assert.NotEmpty(s.Glosses);
            Assert.All(s.Glosses, g => Assert.Matches(UppercaseGloss(), g));
        }
    }

    [Fact]
    public void Generate_ManySentences_GlossOrderDiffersFromWordOrderForMost()
    {
        var sentences = Sample(2000);
        double reordered = sentences.Count(s => s.IsReordered) / (double)sentences.Count;
        Assert.InRange(reordered, 0.55, 0.95);
    }

    [Fact]
    public void Generate_ManySentences_VocabularyOfAFewHundredWords()
    {
        var sentences = Sample(5000);
        int words = sentences.SelectMany(s => s.Words).Distinct().Count();
        int glosses = sentences.SelectMany(s => s.Glosses).Distinct().Count();
        Assert.InRange(words, 250, 800);
        Assert.InRange(glosses, 120, 500);
        Assert.True(words > glosses, $"German should need more word forms ({words}) than glosses ({glosses})");
    }

    [Fact]
    public void Generate_Links_CoverEveryGlossAndPointAtRealWords()
    {
        foreach (var s in Sample(1000))
        {
            var covered = new bool[s.Glosses.Count];
            foreach (var link in s.Links)
            {
                for (int g = link.GlossStart; g < link.GlossStart + link.GlossCount; g++) covered[g] = true;
                Assert.All(link.WordIndices, w => Assert.InRange(w, 0, s.Words.Count - 2)); // never the final "."
            }
            Assert.All(covered, Assert.True);
        }
    }

    [Fact]
    public void Generate_ManySentences_GlossesAndWordsAreNotOneToOne()
    {
        int glossWithoutWord = 0, wordWithoutGloss = 0, glossToPhrase = 0, wordToSeveralGlosses = 0;
        foreach (var s in Sample(1000))
        {
            var glossesPerWord = new int[s.Words.Count];
            foreach (var link in s.Links)
            {
                if (link.WordIndices.Count == 0) glossWithoutWord++;
                if (link.WordIndices.Count >= 3) glossToPhrase++;
                foreach (int w in link.WordIndices) glossesPerWord[w]++;
            }
            wordWithoutGloss += glossesPerWord.Take(s.Words.Count - 1).Count(c => c == 0);
            wordToSeveralGlosses += glossesPerWord.Count(c => c >= 2);
        }
        Assert.True(glossWithoutWord > 20, $"glosses without a word: {glossWithoutWord}");
        Assert.True(wordWithoutGloss > 1000, $"words without a gloss: {wordWithoutGloss}");
        Assert.True(glossToPhrase > 20, $"glosses expressed by a phrase: {glossToPhrase}");
        Assert.True(wordToSeveralGlosses > 20, $"words expressing several glosses: {wordToSeveralGlosses}");
    }

    [Fact]
    public void Generate_ManySentences_SentenceLengthsLikeWeatherForecasts()
    {
        var sentences = Sample(3000);
        double words = sentences.Average(s => s.Words.Count);
        double glosses = sentences.Average(s => s.Glosses.Count);
        Assert.InRange(words, 7, 16);
        Assert.InRange(glosses, 3.5, 9);
    }

    [Fact]
    public void IsReordered_MonotoneLinks_False()
    {
        var s = new SyntheticSentence(["TAG", "SUED", "SONNE"], ["am", "tag", "im", "süden", "sonne", "."],
            [new GlossWordLink(0, 1, [1]), new GlossWordLink(1, 1, [3]), new GlossWordLink(2, 1, [4])]);
        Assert.False(s.IsReordered);
    }

    [Fact]
    public void IsReordered_CrossingLinks_True()
    {
        // "im süden scheint am tag die sonne ." ↔ TAG SUED SONNE
        var s = new SyntheticSentence(["TAG", "SUED", "SONNE"], ["im", "süden", "scheint", "am", "tag", "die", "sonne", "."],
            [new GlossWordLink(0, 1, [3, 4]), new GlossWordLink(1, 1, [0, 1]), new GlossWordLink(2, 1, [2, 6])]);
        Assert.True(s.IsReordered);
    }

    [Fact]
    public void IsReordered_GlossWithoutWord_Ignored()
    {
        var s = new SyntheticSentence(["SUED", "IX", "SONNE"], ["im", "süden", "sonne", "."],
            [new GlossWordLink(0, 1, [1]), new GlossWordLink(1, 1, []), new GlossWordLink(2, 1, [2])]);
        Assert.False(s.IsReordered);
    }

    [GeneratedRegex(@"^[a-zäöüß]+$")]
    private static partial Regex LowercaseWord();

    [GeneratedRegex(@"^[A-Z]+$")]
    private static partial Regex UppercaseGloss();
}
