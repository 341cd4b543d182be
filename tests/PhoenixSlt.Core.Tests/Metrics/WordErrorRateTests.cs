using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

public sealed class WordErrorRateTests
{
    [Theory]
    [InlineData("A X C", "A B C D", 2)]     // B→X substituted, D deleted
    [InlineData("A B C D", "A B C D", 0)]
    [InlineData("E F G", "E F", 1)]         // G inserted
    [InlineData("", "A B", 2)]
    [InlineData("B A", "A B", 2)]           // swapped: two edits
    public void Distance_WorkedExamples(string hypothesis, string reference, int expected)
        => Assert.Equal(expected, WordErrorRate.Distance(PhoenixSlt.Core.Text.GlossVocabulary.Split(hypothesis), PhoenixSlt.Core.Text.GlossVocabulary.Split(reference)));

    [Fact]
    public void Corpus_SumsEditsOverReferenceWords()
    {
        // (2 + 1) edits over (4 + 2) reference glosses = 50 %
        double wer = WordErrorRate.Corpus(["A X C", "E F G"], ["A B C D", "E F"]);

        Assert.Equal(50.0, wer, 10);
    }
}
