using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Data;
using PhoenixSlt.Core.Tests.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

[Collection(SerialTorchCollection.Name)]
public sealed class ModelWeightsTests
{
    private static readonly MBartConfig Small = MBartConfig.Tiny with { VocabSize = 40 };

    [Fact]
    public void ForSaving_TiedEmbedding_IsWrittenOnce()
    {
        using var model = new MBartForConditionalGeneration(Small);

        var names = ModelWeights.ForSaving(model).Select(kv => kv.Key).ToList();

        var stateNames = model.state_dict().Keys.ToList();
        Assert.Contains("model.encoder.embed_tokens.weight", stateNames);      // an alias of model.shared.weight
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Single(names, n => n.EndsWith("embed_tokens.weight", StringComparison.Ordinal) || n == "model.shared.weight");
    }

    [Fact]
    public void Load_SavedWeights_RestoreEveryTensorIncludingTheTiedOnes()
    {
        using var temp = new TempDir();
        using var source = new MBartForConditionalGeneration(Small);
        SafetensorsFile.Save(temp.File(CheckpointFolder.WeightsFileName), ModelWeights.ForSaving(source));
        using var target = new MBartForConditionalGeneration(Small);

        ModelWeights.Load(target, temp.Path);

        var expected = source.state_dict();
        foreach (var (name, tensor) in target.state_dict())
            Assert.True(expected[name].eq(tensor).all().item<bool>(), $"{name} differs");
        Assert.True(target.Model.Decoder.state_dict()["embed_tokens.weight"].eq(expected["model.shared.weight"]).all().item<bool>());
    }

    [Fact]
    public void Load_OtherArchitecture_NamesTheDifferingTensor()
    {
        using var temp = new TempDir();
        using var source = new MBartForConditionalGeneration(Small with { DModel = 32 });
        SafetensorsFile.Save(temp.File(CheckpointFolder.WeightsFileName), ModelWeights.ForSaving(source));
        using var target = new MBartForConditionalGeneration(Small);

        var e = Assert.Throws<CheckpointFormatException>(() => ModelWeights.Load(target, temp.Path));

        Assert.Contains("has shape", e.Message);
        Assert.Contains(temp.File(CheckpointFolder.WeightsFileName), e.Message);
    }

    [Fact]
    public void Load_FewerLayers_ListsTheMissingTensors()
    {
        using var temp = new TempDir();
        using var source = new MBartForConditionalGeneration(Small with { DecoderLayers = 1 });
        SafetensorsFile.Save(temp.File(CheckpointFolder.WeightsFileName), ModelWeights.ForSaving(source));
        using var target = new MBartForConditionalGeneration(Small);

        var e = Assert.Throws<CheckpointFormatException>(() => ModelWeights.Load(target, temp.Path));

        Assert.Contains("missing model.decoder.layers.1.", e.Message);
        Assert.Contains("unexpected none", e.Message);
    }
}
