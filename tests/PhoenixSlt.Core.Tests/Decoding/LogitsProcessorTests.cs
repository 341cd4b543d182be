using PhoenixSlt.Core.Decoding;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Decoding;

/// The logits processors on small hand-computed cases (rules of transformers 4.40's processors).
public class LogitsProcessorTests
{
    private const int Vocab = 6;

    private static Tensor Scores(int rows) => arange(rows * Vocab, ScalarType.Float32).view(rows, Vocab); // distinct finite values

    private static float[] Row(Tensor scores, int row) => scores[row].data<float>().ToArray();

    [Fact]
    public void ForcedEos_AtMaxLengthMinusOne_AllMinusInfinityExceptEosZero()
    {
        using var scope = NewDisposeScope();
        var processor = new ForcedEosLogitsProcessor(maxLength: 4, eosTokenIds: [2]);

        var scores = processor.Process(Scores(2), TokenHistory.FromRows([[0, 3, 4], [0, 5, 5]]));

        float ninf = float.NegativeInfinity;
        Assert.Equal([ninf, ninf, 0f, ninf, ninf, ninf], Row(scores, 0));
        Assert.Equal([ninf, ninf, 0f, ninf, ninf, ninf], Row(scores, 1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void ForcedEos_OtherLengths_Unchanged(int length)
    {
        using var scope = NewDisposeScope();
        var processor = new ForcedEosLogitsProcessor(maxLength: 4, eosTokenIds: [2]);

        var scores = processor.Process(Scores(1), TokenHistory.FromRows([[.. Enumerable.Repeat(3L, length)]]));

        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], Row(scores, 0));
    }

    [Fact]
    public void MinLength_ShorterThanMinimum_EosIsMinusInfinity()
    {
        using var scope = NewDisposeScope();
        var processor = new MinLengthLogitsProcessor(minLength: 3, eosTokenIds: [2, 5]);

        var scores = processor.Process(Scores(2), TokenHistory.FromRows([[0, 4], [0, 3]]));

        float ninf = float.NegativeInfinity;
        Assert.Equal([0f, 1f, ninf, 3f, 4f, ninf], Row(scores, 0));
        Assert.Equal([6f, 7f, ninf, 9f, 10f, ninf], Row(scores, 1));
    }

    [Fact]
    public void MinLength_ReachedMinimum_Unchanged()
    {
        using var scope = NewDisposeScope();
        var processor = new MinLengthLogitsProcessor(minLength: 3, eosTokenIds: [2]);

        var scores = processor.Process(Scores(1), TokenHistory.FromRows([[0, 4, 4]]));

        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], Row(scores, 0));
    }

    [Fact]
    public void NoRepeatNGram_Bigram_BansTokensThatFollowedTheLastTokenPerRow()
    {
        using var scope = NewDisposeScope();
        var processor = new NoRepeatNGramLogitsProcessor(2);
        // row 0: last token 3 was followed by 4 and by 5 earlier → ban 4, 5
        // row 1: last token 2 never occurred before → nothing banned
        var history = TokenHistory.FromRows([[0, 3, 4, 3, 5, 3], [0, 3, 4, 3, 4, 2]]);

        var scores = processor.Process(Scores(2), history);

        float ninf = float.NegativeInfinity;
        Assert.Equal([0f, 1f, 2f, 3f, ninf, ninf], Row(scores, 0));
        Assert.Equal([6f, 7f, 8f, 9f, 10f, 11f], Row(scores, 1));
    }

    [Fact]
    public void NoRepeatNGram_Trigram_BansOnlyAfterMatchingTwoTokenPrefix()
    {
        using var scope = NewDisposeScope();
        var processor = new NoRepeatNGramLogitsProcessor(3);
        // trigrams (0,3,4) (3,4,5) (4,5,3) (5,3,4); the prefix (3,4) was followed by 5 → ban 5 only
        var history = TokenHistory.FromRows([[0, 3, 4, 5, 3, 4]]);

        var scores = processor.Process(Scores(1), history);

        Assert.Equal([0f, 1f, 2f, 3f, 4f, float.NegativeInfinity], Row(scores, 0));
    }

    [Fact]
    public void NoRepeatNGram_Unigram_BansEveryEarlierTokenIncludingStart()
    {
        using var scope = NewDisposeScope();
        var processor = new NoRepeatNGramLogitsProcessor(1);

        var scores = processor.Process(Scores(1), TokenHistory.FromRows([[0, 3, 3]]));

        float ninf = float.NegativeInfinity;
        Assert.Equal([ninf, 1f, 2f, ninf, 4f, 5f], Row(scores, 0));
    }

    [Fact]
    public void NoRepeatNGram_HistoryTooShort_NothingBanned()
    {
        // transformers: nothing is banned while cur_len + 1 < ngram_size
        Assert.Empty(NoRepeatNGramLogitsProcessor.BannedTokens([0, 3], 4));
        Assert.Empty(NoRepeatNGramLogitsProcessor.BannedTokens([0, 3, 3], 4));
        Assert.Equal([3L], NoRepeatNGramLogitsProcessor.BannedTokens([3, 3, 3, 3], 4).ToArray()); // the 4-gram (3,3,3,3) exists
    }

    [Fact]
    public void LogitsProcessors_FromSettings_InTransformersOrderAndForcedEosWins()
    {
        using var scope = NewDisposeScope();
        var settings = new GenerationSettings
        {
            NumBeams = 1,
            MaxLength = 4,
            MinLength = 10,
            NoRepeatNgramSize = 2,
            DecoderStartTokenId = 0,
            PadTokenId = 1,
            EosTokenIds = [2],
            ForcedEosTokenIds = [2],
            VocabSize = Vocab,
        };

        var processors = settings.LogitsProcessors();
        var scores = LogitsProcessing.Apply(processors, Scores(1), TokenHistory.FromRows([[0, 2, 2]]));

        Assert.Equal([typeof(NoRepeatNGramLogitsProcessor), typeof(MinLengthLogitsProcessor), typeof(ForcedEosLogitsProcessor)], processors.Select(p => p.GetType()));
        // min length and the bigram (2, 2) both ban EOS, but forced EOS runs last and sets it to 0
        Assert.Equal(0f, Row(scores, 0)[2]);
    }
}
