using System.Text.Json;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class ModelConfigTests
{
    [Fact]
    public void SltModelConfig_JsonRoundTrip_SnakeCaseNamesAndSameValues()
    {
        var config = SltModelConfig.Tiny with { FreezeDecoder = true, LabelSmoothing = 0.15 };

        string json = JsonSerializer.Serialize(config);
        var back = JsonSerializer.Deserialize<SltModelConfig>(json)!;

        foreach (string name in new[] { "\"fusion_encoder\"", "\"mbart\"", "\"adapter_dropout\"", "\"label_smoothing\"", "\"freeze_text_encoder\"", "\"freeze_decoder\"", "\"freeze_fusion_encoder\"", "\"d_model\"" })
            Assert.Contains(name, json);
        Assert.Equal(config, back);
    }

    [Fact]
    public void VlpConfig_JsonRoundTrip_SnakeCaseNamesAndSameValues()
    {
        var config = VlpConfig.Tiny with { MaxLogitScale = 50 };

        string json = JsonSerializer.Serialize(config);
        var back = JsonSerializer.Deserialize<VlpConfig>(json)!;

        foreach (string name in new[] { "\"fusion_encoder\"", "\"text_encoder\"", "\"embed_dim\"", "\"projection_hidden_dim\"", "\"projection_dropout\"", "\"logit_scale_init\"", "\"max_logit_scale\"" })
            Assert.Contains(name, json);
        Assert.Equal(config, back);
    }

    [Fact]
    public void Defaults_FollowTheRecipe_TemperatureAndFreezing()
    {
        Assert.Equal(Math.Log(1 / 0.07), VlpConfig.Base.LogitScaleInit, 12);
        Assert.Equal(100.0, VlpConfig.Base.MaxLogitScale);
        Assert.True(SltModelConfig.Base.FreezeTextEncoder);
        Assert.False(SltModelConfig.Base.FreezeDecoder);
        Assert.False(SltModelConfig.Base.FreezeFusionEncoder);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData(" BASE ")]
    public void Preset_KnownName_MatchesTheNamedProperty(string name)
    {
        bool tiny = name.Trim().Equals("tiny", StringComparison.OrdinalIgnoreCase);
        Assert.Same(tiny ? SltModelConfig.Tiny : SltModelConfig.Base, SltModelConfig.Preset(name));
        Assert.Same(tiny ? VlpConfig.Tiny : VlpConfig.Base, VlpConfig.Preset(name));
        Assert.Equal(tiny ? SqueezeformerConfig.Tiny : SqueezeformerConfig.Base, SltModelConfig.Preset(name).FusionEncoder);
        Assert.Equal(tiny ? MBartConfig.Tiny : MBartConfig.MBartLargeCc25, VlpConfig.Preset(name).TextEncoder);
    }

    [Fact]
    public void Preset_UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => SltModelConfig.Preset("large"));

        Assert.Contains("'tiny', 'small' or 'base'", e.Message);
    }

    [Fact]
    public void Validate_LabelSmoothingOutOfRange_NamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => (SltModelConfig.Tiny with { LabelSmoothing = 1.5 }).Validate());

        Assert.Contains("label_smoothing = 1.5", e.Message);
    }

    [Fact]
    public void Validate_NonPositiveEmbedDim_NamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => (VlpConfig.Tiny with { EmbedDim = 0 }).Validate());

        Assert.Contains("embed_dim = 0", e.Message);
    }
}
