using PhoenixSlt.Core.Modules.MBart;
using static TorchSharp.torch;
using static PhoenixSlt.Core.Tests.Modules.MBart.MBartTinyFixture;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// Gradients, dropout and determinism of the tiny model.
public class MBartTrainingTests
{
    [Fact]
    public void Backward_LabelSmoothedLoss_ReachesEveryParameter()
    {
        using var model = LoadFresh();
        model.train();
        using var scope = NewDisposeScope();
        var labels = Expected("b_labels");

        var output = model.call(new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), Labels = labels });
        MBartLoss.LabelSmoothedCrossEntropy(output.Logits, labels, model.Config.PadTokenId, 0.1).backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
        Assert.Null(model.FinalLogitsBias.grad);
    }

    [Fact]
    public void Backward_ThroughTokenEmbeddings_LeavesThePadRowWithoutGradient()
    {
        using var model = LoadFresh();
        using var scope = NewDisposeScope();
        var ids = Expected("a_input_ids"); // right-padded with pad = 1

        model.Model.Encoder.call(ids, Expected("a_attention_mask"), null, false).LastHiddenState.sum().backward();

        // nn.Embedding(padding_idx = pad), as in transformers: looking up pad contributes no gradient.
        var grad = model.Model.Shared.weight!.grad!;
        Assert.Equal(0f, grad[model.Config.PadTokenId].abs().sum().item<float>());
        Assert.True(grad[ids[0, 0].item<long>()].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Forward_EvalTwice_IsDeterministic()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), DecoderInputIds = Expected("b_decoder_input_ids") };

        var first = Model.call(inputs).Logits;
        var second = Model.call(inputs).Logits;

        TensorAssert.Equal(first, second, "logits of two eval passes");
    }

    [Fact]
    public void Forward_TrainModeWithDropout_DiffersFromEval()
    {
        using var model = new MBartForConditionalGeneration(MBartConfig.Tiny with { Dropout = 0.3 });
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), DecoderInputIds = Expected("b_decoder_input_ids") };

        model.eval();
        var eval1 = model.call(inputs).Logits;
        var eval2 = model.call(inputs).Logits;
        model.train();
        var trained = model.call(inputs).Logits;

        TensorAssert.Equal(eval1, eval2, "eval logits");
        Assert.True(TensorAssert.MaxAbsDiff(eval1, trained) > 1e-3);
    }

    [Fact]
    public void EncoderForward_MorePositionsThanTheTable_ExplainsTheLimit()
    {
        using var scope = NewDisposeScope();
        var ids = full([1, 129], 5L, ScalarType.Int64);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Model.Model.Encoder.call(ids, null, null, false));

        Assert.Contains("positions 0..128 exceed max_position_embeddings 128", e.Message);
    }

    [Fact]
    public void EncoderForward_BothIdsAndEmbeds_AsksForExactlyOne()
    {
        using var scope = NewDisposeScope();

        var e = Assert.Throws<ArgumentException>(() => Model.Model.Encoder.call(Expected("a_input_ids"), null, Expected("c_inputs_embeds"), false));

        Assert.Contains("exactly one of input ids", e.Message);
    }
}
