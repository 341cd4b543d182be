using PhoenixSlt.Core.Decoding;
using static PhoenixSlt.Core.Tests.Decoding.ScriptedModel;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Decoding;

/// Greedy search on <see cref="ScriptedModel"/> scenarios with hand-derived results.
public class GreedySearchTests
{
    /// Scenario 3: start → A .9; A → EOS .9 | B .1; B → EOS 1 (ends after 2 tokens).
    /// Scenario 4: start → B .8; B → C .7; C → EOS .6 (ends after 3 tokens).
    /// Scenario 6: start → A .9; A → B .7 | C .3; B → A .6 | EOS .4; C → EOS .9 (A B A B … without n-gram blocking).
    private static ScriptedModel Model() => new ScriptedModel()
        .Rule(3, Start, (A, .9)).Rule(3, A, (Eos, .9), (B, .1)).Rule(3, B, (Eos, 1.0))
        .Rule(4, Start, (B, .8)).Rule(4, B, (C, .7)).Rule(4, C, (Eos, .6))
        .Rule(6, Start, (A, .9)).Rule(6, A, (B, .7), (C, .3)).Rule(6, B, (A, .6), (Eos, .4)).Rule(6, C, (Eos, .9));

    private static GenerationConfig Greedy => new() { MaxNewTokens = 8 };

    [Fact]
    public void Generate_RowsEndingAtDifferentSteps_RightPadsShorterRowAndCompactsCache()
    {
        var model = Model();

        using var output = new SequenceGenerator(model).Generate(Scenarios(3, 4), Greedy);

        Assert.Equal([Start, A, Eos, Pad], output.Sequences[0]);
        Assert.Equal([Start, B, C, Eos], output.Sequences[1]);
        Assert.Null(output.SequenceScores);
        Assert.Null(output.Scores);
        Assert.Equal([1L], Assert.Single(model.Caches).SelectSizes); // scenario 3 left after step 2
    }

    [Fact]
    public void Generate_OutputScores_FinishedRowIsFedPaddingAndStillScored()
    {
        var model = Model();

        using var output = new SequenceGenerator(model).Generate(Scenarios(3, 4), Greedy with { OutputScores = true });

        Assert.Equal([Start, A, Eos, Pad], output.Sequences[0]);
        Assert.Equal([Start, B, C, Eos], output.Sequences[1]);
        Assert.Equal([2L, 3L, 6L], output.Scores!.shape);
        // step 3 of row 0 decodes the pad token: no rule → all-zero logits
        Assert.Equal(0f, output.Scores[0, 2].abs().max().item<float>());
        // scores are the raw logits: ln .8 for B after the start token of scenario 4
        Assert.Equal((float)Math.Log(.8), output.Scores[1, 0, B].item<float>(), 6);
        Assert.Equal(Unlisted, output.Scores[1, 0, A].item<float>());
        Assert.Empty(Assert.Single(model.Caches).SelectSizes); // no row leaves while scores are recorded
    }

    [Fact]
    public void Generate_MaxLengthReached_StopsWithoutEos()
    {
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(6), Greedy with { MaxNewTokens = 5 });

        Assert.Equal([Start, A, B, A, B, A], output.Sequences[0]);
    }

    [Fact]
    public void Generate_ForcedEos_LastTokenIsEos()
    {
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(6), Greedy with { MaxNewTokens = 5, ForcedEosTokenId = [Eos] });

        Assert.Equal([Start, A, B, A, B, Eos], output.Sequences[0]);
    }

    [Fact]
    public void Generate_NoRepeatNgramSize2_AvoidsRepeatingBigram()
    {
        // [start A B A]: B would repeat the bigram (A, B), so C (second best after A) follows, then EOS
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(6), Greedy with { NoRepeatNgramSize = 2 });

        Assert.Equal([Start, A, B, A, C, Eos], output.Sequences[0]);
    }

    [Fact]
    public void Generate_MinNewTokens_PostponesEos()
    {
        // EOS is banned at length 2 (< 1 + 2), so A is followed by B, then EOS is allowed
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(3), Greedy with { MinNewTokens = 2 });

        Assert.Equal([Start, A, B, Eos], output.Sequences[0]);
    }

    [Fact]
    public void Generate_InputIdsWithPadAndNoMask_MasksPadPositionsLikeTransformers()
    {
        var model = new MaskRecordingModel();

        using var output = new SequenceGenerator(model).Generate(
            GenerationInputs.FromIds(tensor(new long[] { C, B, Pad, A, Pad, Pad }, [2, 3])), Greedy with { MaxNewTokens = 1 });

        Assert.Equal(new long[] { 1, 1, 0, 1, 0, 0 }, model.Mask);
    }

    /// Records the attention mask given to the encoder.
    private sealed class MaskRecordingModel : IIncrementalDecoderModel
    {
        private readonly ScriptedModel _inner = new();

        public long[]? Mask { get; private set; }
        public int VocabSize => _inner.VocabSize;
        public int PadTokenId => _inner.PadTokenId;
        public int EosTokenId => _inner.EosTokenId;
        public int BosTokenId => _inner.BosTokenId;
        public int? DecoderStartTokenId => _inner.DecoderStartTokenId;
        public int? ForcedEosTokenId => null;
        public int MaxDecoderPositions => _inner.MaxDecoderPositions;
        public Device Device => CPU;

        public Tensor Encode(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask)
        {
            Mask = attentionMask!.contiguous().data<long>().ToArray();
            return zeros(inputIds!.shape[0], inputIds.shape[1], 1);
        }

        public IDecoderCache CreateCache() => _inner.CreateCache();

        public Tensor DecodeStep(Tensor decoderInputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, IDecoderCache cache)
            => _inner.DecodeStep(decoderInputIds, encoderHiddenStates, encoderAttentionMask, cache);
    }
}
