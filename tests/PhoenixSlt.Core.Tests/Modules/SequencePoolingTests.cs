using PhoenixSlt.Core.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class SequencePoolingTests
{
    [Fact]
    public void MaskedMean_PaddedFramesHoldGarbage_MeanOfRealFramesOnly()
    {
        using var scope = NewDisposeScope();
        // row 0: frames (1,2), (3,4) real, (1000,1000) padding → (2,3); row 1: (5,6), (7,8), (9,10) → (7,8)
        Tensor hidden = tensor(new float[] { 1, 2, 3, 4, 1000, 1000, 5, 6, 7, 8, 9, 10 }, [2, 3, 2]);
        Tensor mask = tensor(new[] { true, true, false, true, true, true }, [2, 3]);

        Tensor pooled = SequencePooling.MaskedMean(hidden, mask);

        Assert.Equal(new float[] { 2, 3, 7, 8 }, pooled.data<float>().ToArray());
    }

    [Fact]
    public void LastPositionOf_TokenizedPaddedBatch_IsTheTokenBeforeTheLanguageCode()
    {
        using var scope = NewDisposeScope();
        var tokenizer = ModelTestData.Tokenizer;
        var (ids, _, lengths) = ModelTestData.Tokens(["regen", .. ModelTestData.Sentences]);

        long[] positions = SequencePooling.LastPositionOf(ids, tokenizer.EosId).data<long>().ToArray();

        // rows are "pieces… </s> de_DE pad…": </s> sits at length − 2
        Assert.Equal(lengths.Select(l => (long)l - 2).ToArray(), positions);
        for (int b = 0; b < lengths.Length; b++)
        {
            Assert.Equal(tokenizer.EosId, ids[b, positions[b]].item<long>());
            Assert.Equal(tokenizer.LanguageId("de_DE"), ids[b, positions[b] + 1].item<long>());
        }
    }

    [Fact]
    public void LastPositionOf_RowWithoutEndOfSentence_SaysWhichRow()
    {
        using var scope = NewDisposeScope();
        Tensor ids = tensor(new long[] { 10, 2, 1003, 10, 11, 12 }, [2, 3]);

        var e = Assert.Throws<ArgumentException>(() => SequencePooling.LastPositionOf(ids, 2));

        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void Gather_Positions_PicksEachRowsVector()
    {
        using var scope = NewDisposeScope();
        Tensor hidden = arange(12, dtype: ScalarType.Float32).reshape(2, 3, 2); // row 0: (0,1),(2,3),(4,5); row 1: (6,7),(8,9),(10,11)

        Tensor picked = SequencePooling.Gather(hidden, tensor(new long[] { 2, 0 }));

        Assert.Equal(new float[] { 4, 5, 6, 7 }, picked.data<float>().ToArray());
    }
}
