using PhoenixSlt.Core.Modules.MBart;
using static TorchSharp.torch;
using static PhoenixSlt.Core.Tests.Modules.MBart.MBartTinyFixture;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// Every tensor of tests/fixtures/mbart-tiny/expected.safetensors (transformers 4.40.2, float32) reproduced.
public class MBartParityTests
{
    private const double HiddenTolerance = 1e-4;
    private const double LogitsTolerance = 2e-4;

    [Fact]
    public void EncoderForward_InputIds_MatchesEveryReferenceHiddenState()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = Model.Model.Encoder.call(Expected("a_input_ids"), Expected("a_attention_mask"), null, true);

        Assert.Equal(3, output.HiddenStates!.Count);
        TensorAssert.Close(Expected("a_encoder_hidden_state_0"), output.HiddenStates[0], HiddenTolerance, "hidden state 0 (embeddings)");
        TensorAssert.Close(Expected("a_encoder_hidden_state_1"), output.HiddenStates[1], HiddenTolerance, "hidden state 1 (after layer 0)");
        TensorAssert.Close(Expected("a_encoder_hidden_state_2"), output.HiddenStates[2], HiddenTolerance, "hidden state 2 (after layer 1 + layer_norm)");
        TensorAssert.Close(Expected("a_encoder_last_hidden_state"), output.LastHiddenState, HiddenTolerance, "last_hidden_state");
    }

    [Fact]
    public void Forward_DecoderInputIds_MatchesReferenceLogitsAndDecoderStates()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = Model.call(new MBartInputs
        {
            InputIds = Expected("a_input_ids"),
            AttentionMask = Expected("a_attention_mask"),
            DecoderInputIds = Expected("b_decoder_input_ids"),
            OutputHiddenStates = true,
        });

        TensorAssert.Close(Expected("b_decoder_hidden_state_0"), output.Decoder.HiddenStates![0], HiddenTolerance, "decoder hidden state 0");
        TensorAssert.Close(Expected("b_decoder_last_hidden_state"), output.Decoder.HiddenStates[^1], HiddenTolerance, "decoder hidden state -1");
        TensorAssert.Close(Expected("b_decoder_last_hidden_state"), output.Decoder.LastHiddenState, HiddenTolerance, "decoder last_hidden_state");
        TensorAssert.Close(Expected("b_logits"), output.Logits, LogitsTolerance, "logits");
        Assert.Null(output.Loss);
    }

    [Fact]
    public void Forward_Labels_MatchesReferenceLossAndShiftsLabelsIntoDecoderInputs()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = Model.call(new MBartInputs
        {
            InputIds = Expected("a_input_ids"),
            AttentionMask = Expected("a_attention_mask"),
            Labels = Expected("b_labels"),
        });

        Assert.NotNull(output.Loss);
        Assert.Equal(Expected("b_loss").item<float>(), output.Loss!.item<float>(), 1e-4);
        TensorAssert.Close(Expected("b_logits"), output.Logits, LogitsTolerance, "logits from labels");
    }

    [Fact]
    public void ShiftTokensRight_FixtureLabels_EqualsReferenceDecoderInputs()
    {
        using var shifted = MBartLoss.ShiftTokensRight(Expected("b_labels"), Model.Config.PadTokenId);

        TensorAssert.Equal(Expected("b_decoder_input_ids"), shifted, "shift_tokens_right(b_labels)");
    }

    [Fact]
    public void EncoderForward_InputsEmbedsWithPadding_MatchesReferenceAndIsNotScaled()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = Model.Model.Encoder.call(null, Expected("c_attention_mask"), Expected("c_inputs_embeds"), false);

        TensorAssert.Close(Expected("c_encoder_last_hidden_state"), output.LastHiddenState, HiddenTolerance, "encoder(inputs_embeds)");
        // Had the embeddings been multiplied by sqrt(d_model) = 8, the output would be far off.
        var scaled = Model.Model.Encoder.call(null, Expected("c_attention_mask"), Expected("c_inputs_embeds") * 8.0, false);
        Assert.True(TensorAssert.MaxAbsDiff(Expected("c_encoder_last_hidden_state"), scaled.LastHiddenState) > 1e-2);
    }

    [Fact]
    public void Encode_InputsEmbeds_RealPositionsDoNotDependOnPaddedFrames()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var embeds = Expected("c_inputs_embeds");
        var mask = Expected("c_attention_mask");
        // Row 1 has 5 real frames; replace its 2 padded frames with other values.
        var altered = embeds.clone();
        altered[1, 5..] = randn(2, 64) * 3;

        var reference = Model.Encode(null, embeds, mask);
        var changed = Model.Encode(null, altered, mask);

        TensorAssert.Close(reference[1, ..5], changed[1, ..5], 1e-6, "real frames of row 1");
        TensorAssert.Close(reference[0], changed[0], 0, "row 0");
    }

    [Fact]
    public void Encode_RowWithEveryPositionMasked_StaysFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = Expected("c_attention_mask").clone();
        mask[1] = zeros(7, ScalarType.Int64);

        var output = Model.Encode(null, Expected("c_inputs_embeds"), mask);

        // Masked keys get float min, not -inf: the softmax stays defined (uniform) instead of NaN.
        Assert.True(output.isfinite().all().item<bool>());
        TensorAssert.Close(Expected("c_encoder_last_hidden_state")[0], output[0], 1e-4, "untouched row 0");
    }
}
