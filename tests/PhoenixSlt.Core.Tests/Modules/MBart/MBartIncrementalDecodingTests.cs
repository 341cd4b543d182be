using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules.MBart;
using static TorchSharp.torch;
using static PhoenixSlt.Core.Tests.Modules.MBart.MBartTinyFixture;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// Decoding with the key/value cache gives what decoding the whole prefix gives (and what transformers gives).
public class MBartIncrementalDecodingTests
{
    private static IIncrementalDecoderModel Decoder => Model;

    private static Tensor Column(Tensor ids, long t) => ids.narrow(1, t, 1); // (B,T) -> (B,1)

    [Fact]
    public void DecodeStep_OneTokenAtATime_MatchesReferenceFullSequenceLogits()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("a_attention_mask");
        var encoder = Decoder.Encode(Expected("a_input_ids"), null, mask);
        var decoderInputs = Expected("b_decoder_input_ids");
        var reference = Expected("b_logits");
        using var cache = Decoder.CreateCache();

        for (long t = 0; t < decoderInputs.shape[1]; t++)
        {
            var logits = Decoder.DecodeStep(Column(decoderInputs, t), encoder, mask, cache); // (B,1,V)
            TensorAssert.Close(reference.narrow(1, t, 1), logits, 2e-4, $"step {t}");
            Assert.Equal(t + 1, cache.Length);
        }
        Assert.Equal(3, cache.BatchSize);
    }

    [Fact]
    public void DecodeStep_PrefixThenSingleTokens_EqualsOneFullPass()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("a_attention_mask");
        var encoder = Decoder.Encode(Expected("a_input_ids"), null, mask);
        var decoderInputs = Expected("b_decoder_input_ids");
        var full = Model.LmLogits(Model.Model.Decoder.call(decoderInputs, encoder, mask, null, null, false).LastHiddenState);
        using var cache = Decoder.CreateCache();

        var prefix = Decoder.DecodeStep(decoderInputs.narrow(1, 0, 10), encoder, mask, cache); // (B,10,V)
        var next = Decoder.DecodeStep(Column(decoderInputs, 10), encoder, mask, cache);
        var twoMore = Decoder.DecodeStep(decoderInputs.narrow(1, 11, 2), encoder, mask, cache);

        TensorAssert.Close(full.narrow(1, 0, 10), prefix, 1e-5, "prefix of 10");
        TensorAssert.Close(full.narrow(1, 10, 1), next, 1e-5, "position 10");
        TensorAssert.Close(full.narrow(1, 11, 2), twoMore, 1e-5, "positions 11-12 (causal inside a chunk)");
    }

    [Fact]
    public void DecodeStep_TeacherForcedOnReferenceGreedyOutput_MatchesReferenceScores()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("c_attention_mask");
        var sequences = Expected("c_generate_greedy_sequences"); // (2,21), column 0 = de_DE
        var scores = Expected("c_generate_greedy_scores"); // (2,20,V); the last step is ForcedEOS-processed
        var encoder = Decoder.Encode(null, Expected("c_inputs_embeds"), mask);
        using var cache = Decoder.CreateCache();

        for (long t = 0; t < scores.shape[1] - 1; t++)
        {
            var logits = Decoder.DecodeStep(Column(sequences, t), encoder, mask, cache);
            TensorAssert.Close(scores.narrow(1, t, 1), logits, 2e-4, $"greedy step {t}");
            // The reference picked the arg-max of these scores.
            TensorAssert.Equal(Column(sequences, t + 1).squeeze(1), logits.squeeze(1).argmax(-1), $"greedy token {t + 1}");
        }
    }

    [Fact]
    public void Reorder_SwappedBeams_ContinuesEachBeamFromItsNewHistory()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask1 = Expected("a_attention_mask");
        var encoder1 = Decoder.Encode(Expected("a_input_ids"), null, mask1);
        var expand = tensor(new long[] { 0, 0, 1, 1, 2, 2 }); // 2 beams per sentence
        var encoder = encoder1.index_select(0, expand);
        var mask = mask1.index_select(0, expand);
        // Different histories per beam: beam 0 reads b_decoder_input_ids, beam 1 reads it reversed.
        var histories = Expected("b_decoder_input_ids").narrow(1, 0, 4).index_select(0, expand).clone();
        histories[TensorIndex.Slice(1, null, 2)] = histories[TensorIndex.Slice(1, null, 2)].flip(1);
        using var cache = Decoder.CreateCache();
        Decoder.DecodeStep(histories, encoder, mask, cache);

        var swap = tensor(new long[] { 1, 0, 3, 2, 5, 4 });
        cache.Reorder(swap);
        var nextToken = full([6, 1], 42L, ScalarType.Int64);
        var stepped = Decoder.DecodeStep(nextToken, encoder, mask, cache); // (6,1,V)

        var swappedHistories = cat([histories.index_select(0, swap), nextToken], 1); // (6,5)
        using var fresh = Decoder.CreateCache();
        var expected = Decoder.DecodeStep(swappedHistories, encoder, mask, fresh).narrow(1, 4, 1);
        TensorAssert.Close(expected, stepped, 1e-5, "reordered beams");
    }

    [Fact]
    public void Select_DropFinishedRow_RemainingRowsUnchanged()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("a_attention_mask");
        var encoder = Decoder.Encode(Expected("a_input_ids"), null, mask);
        var decoderInputs = Expected("b_decoder_input_ids");
        using var cache = Decoder.CreateCache();
        Decoder.DecodeStep(decoderInputs.narrow(1, 0, 3), encoder, mask, cache);
        using var untouched = CacheAfterThreeSteps(decoderInputs, encoder, mask);
        var full = Decoder.DecodeStep(decoderInputs.narrow(1, 3, 1), encoder, mask, untouched);

        var keep = tensor(new long[] { 0, 2 });
        cache.Select(keep);
        var kept = Decoder.DecodeStep(decoderInputs.narrow(1, 3, 1).index_select(0, keep), encoder.index_select(0, keep), mask.index_select(0, keep), cache);

        Assert.Equal(2, cache.BatchSize);
        TensorAssert.Close(full.index_select(0, keep), kept, 1e-5, "rows 0 and 2 after dropping row 1");
    }

    [Fact]
    public void DecodeStep_CacheOfOtherBatchSize_SaysReorderFirst()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("a_attention_mask");
        var encoder = Decoder.Encode(Expected("a_input_ids"), null, mask);
        using var cache = Decoder.CreateCache();
        Decoder.DecodeStep(Expected("b_decoder_input_ids").narrow(1, 0, 1), encoder, mask, cache);

        var e = Assert.Throws<ArgumentException>(() => Decoder.DecodeStep(ones([2, 1], ScalarType.Int64), encoder.narrow(0, 0, 2), mask.narrow(0, 0, 2), cache));

        Assert.Contains("the cache holds 3 rows but the decoder input has 2", e.Message);
    }

    /// A cache that already holds the first 3 positions of every row.
    private static IDecoderCache CacheAfterThreeSteps(Tensor decoderInputs, Tensor encoder, Tensor mask)
    {
        var cache = Decoder.CreateCache();
        Decoder.DecodeStep(decoderInputs.narrow(1, 0, 3), encoder, mask, cache);
        return cache;
    }
}
