using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

public class MBartConfigTests
{
    [Fact]
    public void FromFile_FixtureConfig_EqualsTinyPreset()
    {
        var config = MBartConfig.FromFile(TestPaths.Fixture("mbart-tiny", "config.json"));

        Assert.Equal(MBartConfig.Tiny, config);
        Assert.Equal(16, config.EncoderHeadDim);
        Assert.Equal(8.0, config.EmbedScale);
        Assert.Null(config.DecoderStartTokenId);
        Assert.Equal(2, config.ForcedEosTokenId);
    }

    [Fact]
    public void FromJson_EmptyObject_TakesTransformersDefaults()
    {
        var config = MBartConfig.FromJson("{}", "config.json");

        // transformers 4.40 MBartConfig() defaults.
        Assert.Equal(50265, config.VocabSize);
        Assert.Equal(1024, config.DModel);
        Assert.Equal(12, config.EncoderLayers);
        Assert.Equal(4096, config.DecoderFfnDim);
        Assert.False(config.ScaleEmbedding);
        Assert.Equal(0.1, config.Dropout);
        Assert.Equal("gelu", config.ActivationFunction);
        Assert.Equal(1.0, config.EmbedScale);
    }

    [Fact]
    public void ToJson_ThenFromJson_RoundTripsWithSnakeCaseNames()
    {
        string json = MBartConfig.MBartLargeCc25.ToJson();

        Assert.Contains("\"encoder_attention_heads\": 16", json);
        Assert.Contains("\"vocab_size\": 250027", json);
        Assert.Equal(MBartConfig.MBartLargeCc25, MBartConfig.FromJson(json, "x"));
    }

    [Fact]
    public void FromJson_NotJson_NamesSourceAndSaysInvalid()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => MBartConfig.FromJson("{ d_model: 3", "dir/config.json"));

        Assert.Equal("dir/config.json", e.FilePath);
        Assert.StartsWith("not a valid config.json (", e.Problem);
    }

    [Fact]
    public void FromJson_HeadsDoNotDivideModelWidth_ListsEveryProblem()
    {
        var e = Assert.Throws<CheckpointFormatException>(() =>
            MBartConfig.FromJson("{\"d_model\": 100, \"encoder_attention_heads\": 16, \"model_type\": \"bart\", \"activation_function\": \"tanh\"}", "config.json"));

        Assert.Contains("model_type is \"bart\", expected \"mbart\"", e.Problem);
        Assert.Contains("d_model 100 is not divisible by encoder_attention_heads 16", e.Problem);
        Assert.Contains("activation_function \"tanh\" is not supported", e.Problem);
    }

    [Fact]
    public void Preset_UnknownName_ListsKnownPresets()
    {
        var e = Assert.Throws<ArgumentException>(() => MBartConfig.Preset("mbart-huge"));

        Assert.Contains("known: tiny, mbart-large-cc25", e.Message);
        Assert.Same(MBartConfig.MBartLargeCc25, MBartConfig.Preset("mbart-large-cc25"));
    }
}
