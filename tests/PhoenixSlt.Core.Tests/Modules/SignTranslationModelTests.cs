using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class SignTranslationModelTests
{
    private static SltInputs TwoSamples(int extraFrames = 0)
    {
        var (labels, _, _) = ModelTestData.Tokens(ModelTestData.Sentences);
        return new SltInputs(ModelTestData.TwoClips(extraFrames: extraFrames), labels);
    }

    [Fact]
    public void Forward_TwoSamples_LogitsPerLabelAndEncoderStatesPerFrame()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        SltInputs inputs = TwoSamples();

        using SltOutput output = model.call(inputs);

        var mbart = model.Config.MBart;
        Assert.Equal([2L, inputs.Labels!.shape[1], mbart.VocabSize], output.Logits.shape);
        Assert.Equal([2L, 12, mbart.DModel], output.EncoderHiddenStates.shape);
        Assert.Equal(new long[] { 9, 12 }, output.EncoderMask.sum(1).data<long>().ToArray());
        Assert.NotNull(output.Loss);
        Assert.Empty(output.Loss.shape);
        Assert.True(output.Loss.item<float>() > 0);
    }

    [Fact]
    public void Forward_MorePadLabels_SameLoss()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SltInputs inputs = TwoSamples();
        // three more pad labels per row: more ignored positions, decoder inputs that only follow the real ones
        Tensor longerLabels = cat([inputs.Labels!, full([2, 3], (long)model.PadTokenId, ScalarType.Int64)], 1);

        float loss = model.call(inputs).Loss!.item<float>();
        float paddedLoss = model.call(inputs with { Labels = longerLabels }).Loss!.item<float>();

        Assert.Equal(loss, paddedLoss, 1e-5);
    }

    [Fact]
    public void Forward_MorePaddedFrames_SameLoss()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SltInputs inputs = TwoSamples();

        float loss = model.call(inputs).Loss!.item<float>();
        float paddedLoss = model.call(inputs with { Visual = ModelTestData.TwoClips(extraFrames: 5) }).Loss!.item<float>();

        Assert.Equal(loss, paddedLoss, 1e-5);
    }

    [Fact]
    public void Forward_PadLabelsReplacedByIgnoreIndex_SameLoss()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SltInputs inputs = TwoSamples();
        Tensor labels = inputs.Labels!;
        Assert.True(labels.eq(model.PadTokenId).any().item<bool>()); // the first sentence is padded
        Tensor ignored = labels.masked_fill(labels.eq(model.PadTokenId), -100);

        float loss = model.call(inputs).Loss!.item<float>();
        float ignoredLoss = model.call(inputs with { Labels = ignored, DecoderInputIds = Core.Modules.MBart.MBartLoss.ShiftTokensRight(labels, model.PadTokenId) }).Loss!.item<float>();

        Assert.Equal(loss, ignoredLoss, 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void Forward_LabelSmoothing_EqualsHandComputedMeanOverNonPadPositions(double epsilon)
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt(labelSmoothing: epsilon));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SltInputs inputs = TwoSamples();

        using SltOutput output = model.call(inputs);

        // loss = mean over non-pad positions of (1 − ε)·(−log p[label]) + ε·mean_v(−log p_v)
        Tensor logProbs = output.Logits.log_softmax(-1);
        long[] labels = inputs.Labels!.data<long>().ToArray();
        long length = inputs.Labels.shape[1];
        double sum = 0;
        int count = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == model.PadTokenId)
                continue;
            Tensor row = logProbs[i / length, i % length];
            double nll = -row[labels[i]].item<float>();
            double uniform = -row.mean().item<float>();
            sum += (1 - epsilon) * nll + epsilon * uniform;
            count++;
        }
        Assert.Equal(labels.Count(l => l != model.PadTokenId), count);
        Assert.Equal(sum / count, output.Loss!.item<float>(), 1e-4);
    }

    [Fact]
    public void Backward_DefaultFlags_FrozenTextEncoderWithoutGradientsEverythingElseWith()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();

        model.call(TwoSamples()).Loss!.backward();

        Assert.True(model.MBart.Model.Shared.weight!.requires_grad);
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool frozen = name.StartsWith("mbart.model.encoder.", StringComparison.Ordinal); // the shared embedding is listed as mbart.model.shared
            Assert.Equal(!frozen, parameter.requires_grad);
            double? grad = ModelTestData.GradNorm(parameter);
            if (frozen)
                Assert.True(grad is null, $"frozen {name} has a gradient");
            else
                Assert.True(grad is > 0, $"trainable {name} has gradient {grad?.ToString() ?? "none"}");
        }
    }

    [Fact]
    public void Backward_DecoderAndFusionEncoderFrozen_OnlyAdapterAndTextEncoderLearn()
    {
        var config = ModelTestData.TinySlt() with { FreezeDecoder = true, FreezeFusionEncoder = true, FreezeTextEncoder = false };
        using var model = new SignTranslationModel(config);
        using var scope = NewDisposeScope();

        model.call(TwoSamples()).Loss!.backward();

        Assert.False(model.MBart.Model.Shared.weight!.requires_grad);
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool trainable = name.StartsWith("adapter.", StringComparison.Ordinal) || name.StartsWith("mbart.model.encoder.", StringComparison.Ordinal);
            double? grad = ModelTestData.GradNorm(parameter);
            Assert.Equal(trainable, parameter.requires_grad);
            Assert.True(trainable ? grad is > 0 : grad is null, $"{name}: requires_grad {parameter.requires_grad}, gradient {grad?.ToString() ?? "none"}");
        }
    }

    [Fact]
    public void Train_FrozenComponents_StayInEvalMode()
    {
        var config = ModelTestData.TinySlt() with { FreezeFusionEncoder = true };
        using var model = new SignTranslationModel(config);

        model.eval();
        model.train();

        Assert.True(model.training);
        Assert.True(model.Adapter.training);
        Assert.True(model.MBart.Model.Decoder.training);
        Assert.All(model.MBart.Model.Encoder.modules(), m => Assert.False(m.training));
        Assert.All(model.FusionEncoder.modules(), m => Assert.False(m.training));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ParameterGroups_AnyTextEncoderFlag_DisjointAndCoverExactlyTheTrainableParameters(bool freezeTextEncoder)
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt() with { FreezeTextEncoder = freezeTextEncoder });

        var groups = model.ParameterGroups();

        var grouped = groups.SelectMany(g => g.Names).ToList();
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        Assert.Equal(grouped.Count, grouped.Distinct().Count());
        Assert.True(trainable.SetEquals(grouped), $"grouped: {grouped.Count}, trainable: {trainable.Count}");
        Assert.All(groups, g => Assert.Equal(g.Names.Count, g.Parameters.Count));
        Assert.All(groups.SelectMany(g => g.Parameters), p => Assert.True(p.requires_grad));
        string[] expectedNames = freezeTextEncoder
            ? [SignTranslationModel.EncoderGroup, SignTranslationModel.DecoderGroup]
            : [SignTranslationModel.EncoderGroup, SignTranslationModel.TextEncoderGroup, SignTranslationModel.DecoderGroup];
        Assert.Equal(expectedNames, groups.Select(g => g.Name));
        var encoder = groups.Single(g => g.Name == SignTranslationModel.EncoderGroup);
        Assert.All(encoder.Names, n => Assert.True(n.StartsWith("fusion_encoder.") || n.StartsWith("adapter."), n));
        var decoder = groups.Single(g => g.Name == SignTranslationModel.DecoderGroup);
        Assert.Contains("mbart.model.shared.weight", decoder.Names);
        Assert.Equal(model.named_parameters().Count(p => p.name.StartsWith("mbart.model.decoder.")) + 1, decoder.Names.Count);
        Assert.All(decoder.Names, n => Assert.True(n.StartsWith("mbart.model.decoder.") || n == "mbart.model.shared.weight", n));
    }

    [Fact]
    public void InitializeFromVlp_TinyModels_CopiesExactlyTheFusionEncoder()
    {
        using var vlp = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, buffer) in vlp.FusionEncoder.named_buffers())
                buffer.add_(0.5); // batch-norm statistics differ from the fresh SLT model's too
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var vlpFusion = vlp.FusionEncoder.state_dict();
        Assert.Contains(vlpFusion, kv => !kv.Value.eq(model.FusionEncoder.state_dict()[kv.Key]).all().item<bool>());

        WeightTransferReport report = model.InitializeFromVlp(vlp);

        Assert.True(report.IsComplete, report.Summary);
        Assert.Equal(vlpFusion.Keys.Order(), report.Copied.Order());
        foreach (var (name, value) in model.state_dict())
        {
            Tensor expected = name.StartsWith(SignTranslationModel.FusionEncoderPrefix, StringComparison.Ordinal)
                ? vlpFusion[name[SignTranslationModel.FusionEncoderPrefix.Length..]]
                : before[name];
            Assert.True(expected.eq(value).all().item<bool>(), $"{name} is not what it should be after the copy");
        }
    }

    [Fact]
    public void InitializeFromVlp_NoFusionEncoderTensors_SaysWhatToPass()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        var notVlp = new Dictionary<string, Tensor> { ["mbart.model.shared.weight"] = zeros(3) };

        var e = Assert.Throws<ArgumentException>(() => model.InitializeFromVlp(notVlp));

        Assert.Contains("VLP", e.Message);
    }

    [Fact]
    public void InitializeFromVlp_DifferentFusionWidth_NamesTheTensorAndBothShapes()
    {
        using var vlp = new VisualLanguagePretrainer(ModelTestData.TinyVlp() with { FusionEncoder = ModelTestData.TinyFusion() with { DModel = 16 } });
        using var model = new SignTranslationModel(ModelTestData.TinySlt());

        var e = Assert.Throws<ArgumentException>(() => model.InitializeFromVlp(vlp));

        Assert.Contains("fusion_encoder.", e.Message);
        Assert.Contains("16", e.Message);
        Assert.Contains("32", e.Message);
    }

    [Fact]
    public void Generate_Greedy_SequencesStartWithTheLanguageCodeAndTrainingModeComesBack()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        model.train();
        using var scope = NewDisposeScope();
        int deDe = ModelTestData.Tokenizer.LanguageId("de_DE");
        var config = GenerationConfig.FromModel(model) with { DecoderStartTokenId = deDe, MaxNewTokens = 6, OutputScores = true };

        using GenerationOutput output = model.Generate(ModelTestData.TwoClips(), config);

        Assert.Equal(2, output.BatchSize);
        Assert.InRange(output.Length, 2, 7);
        Assert.All(output.Sequences, s => Assert.Equal(deDe, s[0]));
        Assert.Equal([2L, output.Length - 1, model.VocabSize], output.Scores!.shape); // still alive after the call
        Assert.True(model.training);
        Assert.False(model.MBart.Model.Encoder.training);
    }

    [Fact]
    public void Generate_BeamSearchOnAClipAloneOrInABatch_SameSequence()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        var config = GenerationConfig.FromModel(model) with { DecoderStartTokenId = ModelTestData.Tokenizer.LanguageId("de_DE"), MaxNewTokens = 5, NumBeams = 3 };
        VisualInputs clips = ModelTestData.TwoClips(extraFrames: 4);

        using GenerationOutput batch = model.Generate(clips, config);
        using GenerationOutput alone = model.Generate(ModelTestData.Row(clips, 0), config);

        long[] fromBatch = batch.Sequences[0].Where(t => t != model.PadTokenId).ToArray();
        long[] fromAlone = alone.Sequences[0].Where(t => t != model.PadTokenId).ToArray();
        Assert.Equal(fromAlone, fromBatch);
    }
}
